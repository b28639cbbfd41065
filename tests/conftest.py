import os
import shutil
from pathlib import Path

import pytest
from lxml import etree

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_XSD_DIR = REPO_ROOT.parent / "shared" / "reference" / "ijw-3.2" / "xsd"


@pytest.fixture(scope="session")
def ijw_xsd_dir() -> Path:
    """The official iJw 3.2 XSDs: IJW_XSD_DIR, else ../shared/reference/ijw-3.2/xsd (the repo carries no copies)."""
    xsd_dir = Path(os.environ.get("IJW_XSD_DIR") or SHARED_XSD_DIR)
    if not (xsd_dir / "basisschema.xsd").exists():
        pytest.skip(
            f"official iJw 3.2 XSDs not found in {xsd_dir}: download release iJw 3.2 from istandaarden.nl and "
            "point IJW_XSD_DIR at the folder holding basisschema.xsd and JW323.xsd"
        )
    return xsd_dir


@pytest.fixture(scope="session")
def jw323_schema(ijw_xsd_dir) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(ijw_xsd_dir / "JW323.xsd")))


@pytest.fixture(scope="session")
def definitions():
    """The project's Definitions, loaded after the dbt manifest is prepared (as dagster-dbt requires outside dg dev)."""
    from orchestration.defs.dbt.project import warehouse_dbt_project

    warehouse_dbt_project.preparer.prepare(warehouse_dbt_project)
    from orchestration.definitions import defs

    return defs()


@pytest.fixture
def warehouse_env(tmp_path, monkeypatch):
    """A fresh warehouse and landing directory for one test; returns (warehouse_dir, landing_dir)."""
    warehouse_dir, landing_dir = tmp_path / "warehouse", tmp_path / "landing"
    (landing_dir / "ijw").mkdir(parents=True)
    monkeypatch.setenv("WAREHOUSE_DIR", str(warehouse_dir))
    monkeypatch.setenv("WAREHOUSE_LANDING_DIR", str(landing_dir))
    monkeypatch.setenv("WAREHOUSE_PSEUDONYM_KEY", "integration-test-key-0123456789")
    # Set by every dbt step; registering it here restores the caller's value afterwards.
    monkeypatch.setenv("WAREHOUSE_DUCKDB_PATH", str(warehouse_dir / "warehouse.duckdb"))
    return warehouse_dir, landing_dir


def copy_sample_ijw(landing_dir: Path) -> list[Path]:
    """Copy the shipped sample's iJw messages, keeping their relative paths; returns the copies."""
    shutil.copytree(REPO_ROOT / "seeds" / "sample" / "ijw", landing_dir / "ijw", dirs_exist_ok=True)
    return sorted((landing_dir / "ijw").rglob("*.xml"))

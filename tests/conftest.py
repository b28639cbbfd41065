import ast
import fcntl
import inspect
import os
import shutil
import textwrap
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from lxml import etree

from orchestration.defs.dbt import build_state
from orchestration.defs.dbt.build_state import REBUILD_TAG
from orchestration.defs.ingest import ijw as ijw_assets
from orchestration.warehouse import landing_inventory
from orchestration.warehouse.schema import ensure_schema
from tests.dagster_ui import dagster_ui  # noqa: F401 - one `dg dev` per session for the UI's browser tests
from tests.pipeline_tier import runs_the_pipeline
from tests.postgres_cluster import postgres_cluster  # noqa: F401 - the session's PostgreSQL, tests/test_serving_*.py
from tests.row_order import reorder_every_table
from tests.steering_worlds import steering_world  # noqa: F401 - the session fixture of tests/test_steering_*.py

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_XSD_DIR = REPO_ROOT.parent / "shared" / "reference" / "ijw-3.2" / "xsd"


# Before pytest-xdist's own hook, which reads the xdist_group marks.
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Mark `pipeline` every test that runs Dagster, dbt or dg itself or through its fixtures (tests/pipeline_tier.py):
    `make test-fast` runs the others.

    And group the tests for `make test`'s workers (pytest-xdist, --dist loadgroup): every test of the shared sample
    run in one worker, which runs the pipeline once and keeps the modules' order (the close writes into that
    warehouse), every other module in one worker so its module fixtures are built once."""
    for item in items:
        function = getattr(item, "function", None)
        tree = ast.parse(textwrap.dedent(inspect.getsource(function))) if function else None
        if runs_the_pipeline(tree, item.fixturenames):
            item.add_marker(pytest.mark.pipeline)
        group = "sample_run" if "sample_run" in item.fixturenames else item.path.name
        item.add_marker(pytest.mark.xdist_group(group))


def pytest_collection_finish(session):
    """A worker of --dist loadgroup whose tests lost their group marks would build the sample run once more, with
    each module's fixtures: stop instead (pytest 9.2's node ids drop them, pytest-xdist issue 1386)."""
    if getattr(session.config.option, "loadgroup", False) and not all("@" in item.nodeid for item in session.items):
        raise pytest.UsageError("pytest-xdist did not group the tests (--dist loadgroup): see pyproject's pytest pin")


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


def prepare_dbt_manifest() -> Path:
    """The dbt manifest, parsed again only when a dbt file changed since (make test prepares it first), by one test
    process at a time: pytest-xdist's workers would write the same target folder while others read it."""
    from orchestration.defs.dbt.project import manifest_is_current, warehouse_dbt_project

    target = warehouse_dbt_project.manifest_path.parent
    target.mkdir(exist_ok=True)
    with (target / "prepare.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not manifest_is_current(warehouse_dbt_project):
            warehouse_dbt_project.preparer.prepare(warehouse_dbt_project)
    return warehouse_dbt_project.manifest_path


@pytest.fixture(scope="session")
def definitions():
    """The project's Definitions, loaded after the dbt manifest is prepared (as dagster-dbt requires outside dg dev)."""
    prepare_dbt_manifest()
    from orchestration.definitions import defs

    return defs()


@pytest.fixture
def warehouse():
    """An empty in-memory warehouse with the raw and audit schema, for tests of the ingest library."""
    con = duckdb.connect(":memory:")
    ensure_schema(con)
    yield con
    con.close()


@pytest.fixture
def warehouse_env(tmp_path, monkeypatch):
    """A fresh warehouse and landing directory for one test; returns (warehouse_dir, landing_dir)."""
    warehouse_dir, landing_dir = tmp_path / "warehouse", tmp_path / "landing"
    (landing_dir / "ijw").mkdir(parents=True)
    set_warehouse_env(monkeypatch, warehouse_dir, landing_dir)
    return warehouse_dir, landing_dir


def set_warehouse_env(
    monkeypatch: pytest.MonkeyPatch,
    warehouse: Path,
    landing: Path,
    pseudonym_key: str = "integration-test-key-0123456789",
) -> None:
    """Point the pipeline at `warehouse` and `landing` for as long as `monkeypatch` lasts."""
    monkeypatch.setenv("WAREHOUSE_DIR", str(warehouse))
    monkeypatch.setenv("WAREHOUSE_LANDING_DIR", str(landing))
    monkeypatch.setenv("WAREHOUSE_PSEUDONYM_KEY", pseudonym_key)
    # Set by every dbt step; registering it here restores the caller's value afterwards.
    monkeypatch.setenv("WAREHOUSE_DUCKDB_PATH", str(warehouse / "warehouse.duckdb"))


def copy_sample_ijw(landing_dir: Path) -> list[Path]:
    """Copy the shipped sample's iJw messages, keeping their relative paths; returns the copies."""
    shutil.copytree(REPO_ROOT / "seeds" / "sample" / "ijw", landing_dir / "ijw", dirs_exist_ok=True)
    return sorted((landing_dir / "ijw").rglob("*.xml"))


def copy_sample(landing_dir: Path) -> list[Path]:
    """Copy the whole shipped sample (iJw, CBS, budgets) as `make run` lands it; returns the landed files."""
    shutil.copytree(REPO_ROOT / "seeds" / "sample", landing_dir, dirs_exist_ok=True)
    for manifest in ("faults.json", "ground_truth.json"):
        (landing_dir / manifest).unlink()
    return sorted(path for path in landing_dir.rglob("*") if path.is_file())


def run_everything(
    definitions, instance: dg.DagsterInstance | None = None, tags: dict[str, str] | None = None
) -> dg.ExecuteInProcessResult:
    """Every asset of the definitions in one run, on `instance` (an ephemeral one by default)."""
    job = definitions.resolve_implicit_global_asset_job_def()
    return job.execute_in_process(instance=instance or dg.DagsterInstance.ephemeral(), raise_on_error=False, tags=tags)


def dbt_log(target_dir: Path) -> str:
    """dbt's log in the target folder, oldest line first: dbt rolls it over every 10 MB (dbt.log.1 the newest rolled
    file), and the KPI step alone writes more than that."""
    rolled = sorted(target_dir.glob("dbt.log.*"), key=lambda path: int(path.suffix[1:]), reverse=True)
    return "".join(path.read_text(encoding="utf-8") for path in [*rolled, target_dir / "dbt.log"])


@pytest.fixture(scope="session")
def sample_run(definitions, tmp_path_factory):
    """Two runs over the whole shipped sample, shared by every test module that reads the sample's marts: the first
    loads it, the second must change nothing. Before the second, the first run's published file and reports are kept
    aside and every raw and audit row is stored again in reverse order, so the second run's dbt build, publication and
    reports show whether the stored order reaches what is published (tests/test_reproducible_publication.py)."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        root = tmp_path_factory.mktemp("pipeline")
        landing, warehouse = root / "landing", root / "warehouse"
        set_warehouse_env(monkeypatch, warehouse, landing)
        files = copy_sample(landing)
        with pytest.MonkeyPatch.context() as in_lanes:
            # The sample is far below the size where the iJw read pass and ingest spread over processes; these runs
            # take that path anyway, so the known answers hold for it (the other Dagster runs stay in one process).
            in_lanes.setenv("WAREHOUSE_INGEST_PROCESSES", "2")
            in_lanes.setattr(ijw_assets, "LANES_FROM_FILES", 0)
            in_lanes.setattr(landing_inventory, "READ_IN_PROCESSES_FROM", 0)
            # One instance for both runs, so a later run on a copy of this warehouse can find the second run's build.
            instance = dg.DagsterInstance.ephemeral()
            first = run_everything(definitions, instance)
            with duckdb.connect(str(warehouse / "warehouse.duckdb"), read_only=True) as con:
                facts_after_first = con.execute("select * from marts.fct_declaration_line order by all").fetchall()
            dbt_log_after_first = dbt_log(warehouse / "dbt_target")
            first_publication = root / "first_publication"
            for folder in ("published", "reports"):
                shutil.copytree(warehouse / folder, first_publication / folder)
            for schema in ("raw", "audit"):
                reorder_every_table(warehouse / "warehouse.duckdb", schema)
            # Reordered rows hash the same (build_state.py), so only the tag makes the second run build again.
            # Both dbt steps need the fingerprint; the sources are hashed once per run (tests/test_dbt_build_state.py).
            hashed = []
            sources_digest = build_state.sources_digest
            in_lanes.setattr(build_state, "sources_digest", lambda *args: hashed.append(1) or sources_digest(*args))
            second = run_everything(definitions, instance, tags={REBUILD_TAG: "true"})
        yield {
            "files": files,
            "landing": landing,
            "first": first,
            "second": second,
            "instance": instance,
            "sources_hashed_by_second": len(hashed),
            "db": warehouse / "warehouse.duckdb",
            "warehouse": warehouse,
            "facts_after_first": facts_after_first,
            "first_publication": first_publication,
            "dbt_logs": [dbt_log_after_first, dbt_log(warehouse / "dbt_target")],
        }

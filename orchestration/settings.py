"""Runtime settings, read from the environment in this one place.

Every variable is optional (DESIGN.md section 4). Relative paths are resolved against the repository root, so the
same setting means the same place whether it is read by Dagster, by dbt (which runs in dbt_project/) or by a test.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
EXPECTATIONS_DIR = REPO_ROOT / "expectations"
SAMPLE_LANDING_DIR = REPO_ROOT / "seeds" / "sample"


def _path_from_env(name: str, default: str) -> Path:
    path = Path(os.environ.get(name) or default).expanduser()
    return path if path.is_absolute() else (REPO_ROOT / path).resolve()


DEFAULT_DUCKDB_MEMORY_LIMIT = "2GB"


@dataclass(frozen=True)
class Settings:
    landing_dir: Path
    warehouse_dir: Path
    pseudonym_key: str | None
    target: str
    suppression_threshold: int
    """Published counts below this are withheld (DESIGN.md section 6)."""
    ijw_xsd_dir: Path | None = None
    """Official iJw 3.2 XSDs; when set, every landed message is also validated against them."""
    cbs_mode: str = "offline"
    """offline (snapshot files only), online (pull from CBS, fail when unreachable) or auto (pull, else snapshots)."""
    cbs_base_url: str = "https://opendata.cbs.nl/ODataApi/odata"
    duckdb_memory_limit: str = DEFAULT_DUCKDB_MEMORY_LIMIT
    """DuckDB's memory_limit for the warehouse and dbt; larger work spills to disk (DuckDB's default, 80% of the
    machine's memory, took 5 GB for the KPI marts of a national year)."""
    ingest_processes: int = 1
    """Processes the iJw inventory and ingest may use side by side (orchestration/warehouse/ingest_lanes.py); default:
    the cores, at most four (the ingest has four lanes' worth of message types; each process holds up to a GB)."""

    @property
    def duckdb_path(self) -> Path:
        return self.warehouse_dir / "warehouse.duckdb"

    @property
    def published_dir(self) -> Path:
        return self.warehouse_dir / "published"

    @property
    def reports_dir(self) -> Path:
        """The quarterly reports: <region>/<quarter>.html and .xlsx."""
        return self.warehouse_dir / "reports"

    @property
    def dbt_target_dir(self) -> Path:
        """dbt's target folder for this warehouse (compiled SQL, run results, dbt.log), kept between steps and runs."""
        return self.warehouse_dir / "dbt_target"

    @property
    def dagster_home(self) -> Path:
        return self.warehouse_dir / "dagster_home"

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            landing_dir=_path_from_env("WAREHOUSE_LANDING_DIR", "data/landing"),
            warehouse_dir=_path_from_env("WAREHOUSE_DIR", "data"),
            pseudonym_key=os.environ.get("WAREHOUSE_PSEUDONYM_KEY") or None,
            target=os.environ.get("WAREHOUSE_TARGET", "duckdb"),
            suppression_threshold=int(os.environ.get("WAREHOUSE_SUPPRESSION_THRESHOLD", "10")),
            ijw_xsd_dir=_path_from_env("IJW_XSD_DIR", "") if os.environ.get("IJW_XSD_DIR") else None,
            cbs_mode=_cbs_mode(os.environ.get("CBS_MODE") or "offline"),
            cbs_base_url=os.environ.get("CBS_BASE_URL") or "https://opendata.cbs.nl/ODataApi/odata",
            duckdb_memory_limit=os.environ.get("WAREHOUSE_DUCKDB_MEMORY_LIMIT") or DEFAULT_DUCKDB_MEMORY_LIMIT,
            ingest_processes=_positive_int("WAREHOUSE_INGEST_PROCESSES", min(os.cpu_count() or 1, 4)),
        )


def _positive_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if not value:
        return default
    if not value.strip().isdigit() or int(value) < 1:
        raise ValueError(f"{name} must be a whole number of at least 1, not {value!r}")
    return int(value)


def _cbs_mode(value: str) -> str:
    mode = value.strip().lower()
    if mode not in ("offline", "online", "auto"):
        raise ValueError(f"CBS_MODE must be offline, online or auto, not {value!r}")
    return mode

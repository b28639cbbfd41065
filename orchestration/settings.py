"""Runtime settings, read from the environment in this one place.

Every variable is optional (DESIGN.md section 4). Relative paths are resolved against the repository root, so the
same setting means the same place whether it is read by Dagster, by dbt (which runs in dbt_project/) or by a test.
"""

from __future__ import annotations

import os
import tempfile
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

import duckdb
import psycopg

from orchestration.ijw.pseudonym import MIN_KEY_BYTES

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
EXPECTATIONS_DIR = REPO_ROOT / "expectations"
SAMPLE_LANDING_DIR = REPO_ROOT / "seeds" / "sample"
DBT_DOCS_DIR = DBT_PROJECT_DIR / "target" / "docs"
"""Where `dbt docs generate` writes the dbt docs site (Makefile DOCS_TARGET)."""


def _path_from_env(name: str, default: str) -> Path:
    path = Path(os.environ.get(name) or default).expanduser()
    return path if path.is_absolute() else (REPO_ROOT / path).resolve()


DEFAULT_DUCKDB_MEMORY_LIMIT = "2GB"
DEFAULT_DBT_THREADS = 1
DEFAULT_RUN_WAIT_SECONDS = 3600
DEFAULT_SUPPRESSION_THRESHOLD = 10
"""A run waiting for another to finish with the warehouse gives up after an hour: a national year's run takes less
(docs/benchmarks.md), so a longer wait means that run hangs."""
TARGETS = ("duckdb", "postgres")
CBS_MODES = ("offline", "online", "auto")
DEFAULT_CLOSE_LAG_DAYS = 42
"""The quarterly close runs six weeks after a quarter ends: declarations arrive with a lag, and the regions' steering
cycle reports about six weeks after quarter end (docs/operations.md)."""
DEFAULT_SERVING_PORT = 5433
"""Beside a system PostgreSQL on 5432 (docs/bi.md)."""
REGION_ROWS = ("shown", "hidden")
DEFAULT_DELIVERY_STALE_DAYS = 45
"""A municipality's messages arrive at least monthly; a month and two weeks without any is worth a warning."""
DEFAULT_DOCS_PORT = 3001
"""Beside the Dagster UI's 3000: the documentation server `make ui` starts (orchestration/docs_server.py)."""


@dataclass(frozen=True)
class PostgresSettings:
    """Where the postgres dbt target builds: libpq's own variables (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE),
    so psql and every PostgreSQL client read the same ones. A host starting with / is the folder of the socket. The
    serving database the tiers are published to is another setting (serving_dsn)."""

    host: str = "localhost"
    port: int = 5432
    user: str = "loader"
    password: str | None = None
    dbname: str = "warehouse"

    def environment(self) -> dict[str, str]:
        """The variables dbt's postgres profile reads (dbt_project/profiles.yml)."""
        variables = {"PGHOST": self.host, "PGPORT": str(self.port), "PGUSER": self.user, "PGDATABASE": self.dbname}
        return variables | ({"PGPASSWORD": self.password} if self.password is not None else {})


class SettingsError(ValueError):
    """Settings that cannot work, every problem named in one message, raised before a run does any work."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(
            "invalid settings (orchestration/settings.py, README.md):\n"
            + "\n".join(f"  - {problem}" for problem in problems)
        )


@dataclass(frozen=True)
class Settings:
    landing_dir: Path
    warehouse_dir: Path
    pseudonym_key: str | None
    target: str
    """The dbt target: duckdb (the warehouse file) or postgres (the server `postgres` names)."""
    suppression_threshold: int
    """Published counts below this are withheld (DESIGN.md section 6)."""
    ijw_xsd_dir: Path | None = None
    """Official iJw 3.2 XSDs; when set, every landed message is also validated against them."""
    cbs_mode: str = "offline"
    """offline (snapshot files only), online (pull from CBS, fail when unreachable) or auto (pull, else snapshots)."""
    cbs_base_url: str = "https://opendata.cbs.nl/ODataApi/odata"
    duckdb_memory_limit: str = DEFAULT_DUCKDB_MEMORY_LIMIT
    """DuckDB's memory_limit for the warehouse and dbt; larger work spills to disk instead of taking most of the
    machine (DuckDB's default is 80% of its memory; docs/benchmarks.md)."""
    dbt_threads: int = DEFAULT_DBT_THREADS
    """Models and tests dbt runs side by side on the DuckDB target, over one connection sharing duckdb_memory_limit
    (dbt_project/profiles.yml; measured in docs/benchmarks.md)."""
    ingest_processes: int = 1
    """Processes the iJw inventory and ingest may use side by side (orchestration/warehouse/ingest_lanes.py); default:
    the cores, at most four (the ingest has four lanes' worth of message types; each process holds up to a GB)."""
    postgres: PostgresSettings = PostgresSettings()
    run_wait_seconds: int = DEFAULT_RUN_WAIT_SECONDS
    """How long a run waits for another run, or a process left by a dead one, to finish with the warehouse
    (orchestration/defs/run_guard.py) before it fails saying what it waited for."""
    serving_dsn: str | None = None
    """The loader's libpq connection string for the PostgreSQL serving database (docs/bi.md); unset: not served."""
    serving_port: int = DEFAULT_SERVING_PORT
    """The port `make serve` starts its cluster (WAREHOUSE_DIR/postgres) on."""
    serving_provider_region_rows: str = "shown"
    """Whether provider roles see the region-level rows beside their own (orchestration/serving/roles.py)."""
    alert_webhook_url: str | None = None
    """Where the run-failure sensor POSTs each failed run (orchestration/defs/automation/failure_alerts.py)."""
    delivery_stale_days: int = DEFAULT_DELIVERY_STALE_DAYS
    """Days without a delivery from a municipality before the freshness check warns."""
    close_lag_days: int = DEFAULT_CLOSE_LAG_DAYS
    """Days after a quarter's end when its close is built (quarterly_close_schedule) and, for a close without an
    explicit cut, the last delivery date it takes in (orchestration/closes)."""
    docs_port: int = DEFAULT_DOCS_PORT
    """The port of the documentation server (Great Expectations Data Docs, dbt docs) the UI's links point at."""

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
    def closes_dir(self) -> Path:
        """The quarterly closes: quarterly_closes.duckdb (their build and history), dbt target and report pages."""
        return self.warehouse_dir / "closes"

    @property
    def serving_cluster_dir(self) -> Path:
        """Where `make serve` keeps its PostgreSQL cluster."""
        return self.warehouse_dir / "postgres"

    @property
    def dagster_home(self) -> Path:
        return self.warehouse_dir / "dagster_home"

    @property
    def data_docs_dir(self) -> Path:
        """The Great Expectations Data Docs site the blocking checks render (orchestration/quality/data_docs.py)."""
        return self.warehouse_dir / "data_docs"

    @property
    def docs_url(self) -> str:
        """Where the documentation server answers; a browser follows no file:// link from the UI's http page."""
        return f"http://127.0.0.1:{self.docs_port}"

    @classmethod
    def from_env(cls) -> Settings:
        """The settings, every value checked: a SettingsError names each one that cannot work."""
        problems: list[str] = []
        settings = cls(
            landing_dir=_path_from_env("WAREHOUSE_LANDING_DIR", "data/landing"),
            warehouse_dir=_path_from_env("WAREHOUSE_DIR", "data"),
            pseudonym_key=_pseudonym_key(problems),
            target=_choice("WAREHOUSE_TARGET", TARGETS, "duckdb", problems),
            suppression_threshold=_whole_number(
                "WAREHOUSE_SUPPRESSION_THRESHOLD", DEFAULT_SUPPRESSION_THRESHOLD, 0, problems
            ),
            ijw_xsd_dir=_path_from_env("IJW_XSD_DIR", "") if os.environ.get("IJW_XSD_DIR") else None,
            cbs_mode=_choice("CBS_MODE", CBS_MODES, "offline", problems),
            cbs_base_url=os.environ.get("CBS_BASE_URL") or "https://opendata.cbs.nl/ODataApi/odata",
            duckdb_memory_limit=os.environ.get("WAREHOUSE_DUCKDB_MEMORY_LIMIT") or DEFAULT_DUCKDB_MEMORY_LIMIT,
            dbt_threads=_whole_number("WAREHOUSE_DBT_THREADS", DEFAULT_DBT_THREADS, 1, problems),
            ingest_processes=_whole_number("WAREHOUSE_INGEST_PROCESSES", min(os.cpu_count() or 1, 4), 1, problems),
            run_wait_seconds=_whole_number("WAREHOUSE_RUN_WAIT_SECONDS", DEFAULT_RUN_WAIT_SECONDS, 1, problems),
            postgres=PostgresSettings(
                host=os.environ.get("PGHOST") or PostgresSettings.host,
                port=_whole_number("PGPORT", PostgresSettings.port, 1, problems),
                user=os.environ.get("PGUSER") or PostgresSettings.user,
                password=os.environ.get("PGPASSWORD"),
                dbname=os.environ.get("PGDATABASE") or PostgresSettings.dbname,
            ),
            serving_dsn=os.environ.get("SERVING_POSTGRES_DSN") or None,
            serving_port=_whole_number("SERVING_POSTGRES_PORT", DEFAULT_SERVING_PORT, 1, problems),
            serving_provider_region_rows=_choice("SERVING_PROVIDER_REGION_ROWS", REGION_ROWS, "shown", problems),
            alert_webhook_url=_webhook_url(problems),
            delivery_stale_days=_whole_number(
                "WAREHOUSE_DELIVERY_STALE_DAYS", DEFAULT_DELIVERY_STALE_DAYS, 1, problems
            ),
            close_lag_days=_whole_number("WAREHOUSE_CLOSE_LAG_DAYS", DEFAULT_CLOSE_LAG_DAYS, 0, problems),
            docs_port=_whole_number("WAREHOUSE_DOCS_PORT", DEFAULT_DOCS_PORT, 1, problems),
        )
        if problems:
            raise SettingsError(problems)
        return settings


def checked_settings() -> Settings:
    """The settings, checked as a run needs them before it does any work: every value (Settings.from_env), DuckDB
    accepting the memory limit, the warehouse directory writable, the landing and XSD directories readable."""
    settings = Settings.from_env()
    problems = [
        *_memory_limit_problems(settings.duckdb_memory_limit),
        *_writable_directory_problems("WAREHOUSE_DIR", settings.warehouse_dir),
        *_readable_directory_problems("WAREHOUSE_LANDING_DIR", settings.landing_dir, may_be_absent=True),
    ]
    if settings.ijw_xsd_dir is not None:
        problems += _readable_directory_problems("IJW_XSD_DIR", settings.ijw_xsd_dir, may_be_absent=False)
    if settings.serving_dsn is not None:
        problems += serving_problems(settings.serving_dsn)
    if problems:
        raise SettingsError(problems)
    return settings


def serving_problems(dsn: str) -> list[str]:
    """What keeps SERVING_POSTGRES_DSN from serving: unparsable, unreachable, or a role that cannot create the tiers'
    schemas and roles. The password, if the string holds one, is never shown."""
    try:
        shown = {key: value for key, value in psycopg.conninfo.conninfo_to_dict(dsn).items() if key != "password"}
    except psycopg.ProgrammingError as error:
        return [f"SERVING_POSTGRES_DSN is not a libpq connection string: {error}"]
    where = psycopg.conninfo.make_conninfo(**shown)
    try:
        with psycopg.connect(dsn, connect_timeout=10) as connection:
            allowed = connection.execute(
                "select rolsuper or (rolcreaterole and has_database_privilege(current_database(), 'create'))"
                " from pg_roles where rolname = current_user"
            ).fetchone()[0]
    except psycopg.Error as error:
        return [f"SERVING_POSTGRES_DSN ({where}): cannot connect to PostgreSQL: {str(error).strip()}"]
    if not allowed:
        return [f"SERVING_POSTGRES_DSN ({where}): the role may not create schemas and roles; connect as the loader"]
    return []


def alert_webhook_url() -> str | None:
    """WAREHOUSE_ALERT_WEBHOOK_URL alone: the failure sensor must alert even when another setting made the run fail."""
    problems: list[str] = []
    url = _webhook_url(problems)
    if problems:
        raise SettingsError(problems)
    return url


def _webhook_url(problems: list[str]) -> str | None:
    url = os.environ.get("WAREHOUSE_ALERT_WEBHOOK_URL") or None
    if url is not None and urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        # The URL may hold a token (as chat webhooks do): only its scheme is shown.
        problems.append(
            f"WAREHOUSE_ALERT_WEBHOOK_URL must be an http(s) URL, not {urllib.parse.urlsplit(url).scheme!r}:..."
        )
    return url


def _pseudonym_key(problems: list[str]) -> str | None:
    key = os.environ.get("WAREHOUSE_PSEUDONYM_KEY") or None
    if key is not None and len(key.encode("utf-8")) < MIN_KEY_BYTES:
        problems.append(
            f"WAREHOUSE_PSEUDONYM_KEY must be at least {MIN_KEY_BYTES} bytes, not {len(key.encode('utf-8'))} "
            "(the value is a secret and is not shown)"
        )
    return key


def _whole_number(name: str, default: int, minimum: int, problems: list[str]) -> int:
    value = os.environ.get(name)
    if not value:
        return default
    if not value.strip().isdigit() or int(value) < minimum:
        problems.append(f"{name} must be a whole number of at least {minimum}, not {value!r}")
        return default
    return int(value)


def _choice(name: str, choices: tuple[str, ...], default: str, problems: list[str]) -> str:
    value = os.environ.get(name) or default
    choice = value.strip().lower()
    if choice not in choices:
        problems.append(f"{name} must be {', '.join(choices[:-1])} or {choices[-1]}, not {value!r}")
        return default
    return choice


def _memory_limit_problems(memory_limit: str) -> list[str]:
    # DuckDB's own parser decides: it takes units this code need not list ('2GB', '1.5 GiB', '500MB', ...).
    try:
        duckdb.connect(":memory:", config={"memory_limit": memory_limit}).close()
    except duckdb.Error as error:
        return [f"WAREHOUSE_DUCKDB_MEMORY_LIMIT {memory_limit!r} is not a size DuckDB accepts: {error}"]
    return []


def _writable_directory_problems(name: str, directory: Path) -> list[str]:
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=directory):
            pass
    except OSError as error:
        return [f"{name} {directory} is not a directory this process can write: {error.strerror or error}"]
    return []


def _readable_directory_problems(name: str, directory: Path, may_be_absent: bool) -> list[str]:
    if not directory.exists():
        return [] if may_be_absent else [f"{name} {directory} does not exist"]
    if not directory.is_dir():
        return [f"{name} {directory} is not a directory"]
    if not os.access(directory, os.R_OK | os.X_OK):
        return [f"{name} {directory} is not readable by this process"]
    return []

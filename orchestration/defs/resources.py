"""Resources for the systems the assets talk to, configured from the environment (orchestration/settings.py)."""

from __future__ import annotations

import os
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb
from dagster_dbt import DbtCliResource

from orchestration import warehouse_file
from orchestration.cbs.client import StatLineClient
from orchestration.defs.dbt.project import warehouse_dbt_project
from orchestration.defs.run_guard import guarded_run
from orchestration.settings import Settings, SettingsError, checked_settings
from orchestration.warehouse.schema import ensure_schema

# Every step that writes the DuckDB file claims this pool; DuckDB allows one writer process at a time.
WRITER_POOL = "duckdb_writer"


class WarehouseResource(dg.ConfigurableResource):
    """The DuckDB warehouse and the landing directory. Settings are read when a run starts, not at import.

    Every asset and check uses this resource (tests/test_single_writer.py), so it is initialised in every run before
    any step, and there the run checks its settings and takes its turn on the warehouse (defs/run_guard.py)."""

    @contextmanager
    def yield_for_execution(self, context: dg.InitResourceContext) -> Generator[WarehouseResource, None, None]:
        if context.dagster_run is None:
            yield self
            return
        try:
            settings = checked_settings()
        except SettingsError as error:
            raise dg.Failure(description=str(error)) from None
        with guarded_run(context.instance, context.dagster_run, settings, context.log):
            yield self

    def settings(self) -> Settings:
        return Settings.from_env()

    @property
    def landing_dir(self) -> Path:
        return self.settings().landing_dir

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        settings = self.settings()
        path = settings.duckdb_path
        if not read_only:
            path.parent.mkdir(parents=True, exist_ok=True)
        con = warehouse_file.connect(path, settings.duckdb_memory_limit, read_only=read_only)
        try:
            if not read_only:
                ensure_schema(con)
            yield con
        finally:
            con.close()

    def export_for_dbt(self) -> None:
        """dbt runs in its own process and reads its profile from the environment (dbt_project/profiles.yml)."""
        settings = self.settings()
        os.environ["WAREHOUSE_DUCKDB_PATH"] = str(settings.duckdb_path)
        os.environ["WAREHOUSE_TARGET"] = settings.target
        os.environ["WAREHOUSE_DUCKDB_MEMORY_LIMIT"] = settings.duckdb_memory_limit
        os.environ["WAREHOUSE_DBT_THREADS"] = str(settings.dbt_threads)
        if settings.target == "postgres":
            os.environ.update(settings.postgres.environment())


class CbsResource(dg.ConfigurableResource):
    """CBS StatLine (OData v3). CBS_MODE and CBS_BASE_URL are read when a run starts (orchestration/settings.py)."""

    timeout_seconds: float = 30.0
    retries: int = 3

    def mode(self) -> str:
        return Settings.from_env().cbs_mode

    def client(self) -> StatLineClient:
        return StatLineClient(
            base_url=Settings.from_env().cbs_base_url, timeout=self.timeout_seconds, retries=self.retries
        )


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(
        resources={
            "warehouse": WarehouseResource(),
            # dbt's lines reach the run log and the console's progress line (orchestration/defs/dbt/assets.py) as
            # text, where colour codes would show as escape sequences.
            "dbt": DbtCliResource(project_dir=warehouse_dbt_project, global_config_flags=["--no-use-colors"]),
            "cbs": CbsResource(),
        },
        # DuckDB takes one writer at a time and every step writes it, so steps gain nothing from processes of their
        # own; in-process also saves re-importing dagster, dbt and GX per step (DESIGN.md section 8).
        executor=dg.in_process_executor,
    )

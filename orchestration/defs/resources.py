"""Resources for the systems the assets talk to, configured from the environment (orchestration/settings.py)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb
from dagster_dbt import DbtCliResource

from orchestration.defs.dbt.project import warehouse_dbt_project
from orchestration.settings import Settings
from orchestration.warehouse.schema import ensure_schema

# Every step that writes the DuckDB file claims this pool; DuckDB allows one writer process at a time.
WRITER_POOL = "duckdb_writer"


class WarehouseResource(dg.ConfigurableResource):
    """The DuckDB warehouse and the landing directory. Settings are read when a run starts, not at import."""

    def settings(self) -> Settings:
        return Settings.from_env()

    @property
    def landing_dir(self) -> Path:
        return self.settings().landing_dir

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        path = self.settings().duckdb_path
        if not read_only:
            path.parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(str(path), read_only=read_only)
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


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(
        resources={
            "warehouse": WarehouseResource(),
            "dbt": DbtCliResource(project_dir=warehouse_dbt_project),
        },
        # DuckDB takes one writer at a time and every step writes it, so steps gain nothing from processes of their
        # own; in-process also saves re-importing dagster, dbt and GX per step (DESIGN.md section 8).
        executor=dg.in_process_executor,
    )

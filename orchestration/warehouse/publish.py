"""Publish the public tier (dbt schema public_marts) as a read-only DuckDB file for BI tools, atomically.

What is published and what is withheld is dbt's (models/publication/public, int_kpi_values_withheld): this module only
moves the tables. The new file is written beside the published one and renamed over it: a reader that opened the old
file keeps a consistent view (the old inode lives on until it closes), and a failure before the rename leaves the old
file intact. A publish killed before the rename leaves its staging file (and DuckDB's write-ahead log beside it); the
next publish removes them first, as one run at a time works on the warehouse (orchestration/defs/run_guard.py).
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from orchestration.settings import DEFAULT_DUCKDB_MEMORY_LIMIT

PUBLISHED_FILENAME = "marts.duckdb"
PUBLIC_SCHEMA = "public_marts"
"""The dbt schema of the public tier (dbt_project.yml, models/publication/public)."""
STAGING_PREFIX = "publishing-"


def publish_marts(
    warehouse_path: Path, published_dir: Path, memory_limit: str = DEFAULT_DUCKDB_MEMORY_LIMIT
) -> dict[str, int]:
    """Copy every table of the warehouse's public_marts schema into published_dir/marts.duckdb (main schema), DuckDB
    using at most memory_limit (the warehouse's setting; without it DuckDB takes up to 80% of the machine); returns
    the rows of each table, by name."""
    published_dir.mkdir(parents=True, exist_ok=True)
    target = published_dir / PUBLISHED_FILENAME
    staging = published_dir / f"{STAGING_PREFIX}{os.getpid()}.duckdb.tmp"
    for left_by_a_killed_publish in published_dir.glob(f"{STAGING_PREFIX}*.duckdb.tmp*"):
        left_by_a_killed_publish.unlink(missing_ok=True)
    try:
        with duckdb.connect(str(staging), config={"memory_limit": memory_limit}) as con:
            con.execute(f"attach '{warehouse_path}' as warehouse (read_only)")
            # The tables go into the file's main schema: opened as marts.duckdb the file's catalog is itself named
            # marts, so a BI query for marts.kpi_values finds them (a marts schema would make that ambiguous).
            (catalog,) = con.execute("select current_database()").fetchone()
            tables = [
                name
                for (name,) in con.execute(
                    "select table_name from duckdb_tables() where database_name = 'warehouse' and schema_name = ?"
                    " order by table_name",
                    [PUBLIC_SCHEMA],
                ).fetchall()
            ]
            if not tables:
                raise ValueError(f"{warehouse_path} holds no {PUBLIC_SCHEMA} tables: the dbt KPI step builds them")
            # Rows are stored sorted on every column, left to right: DuckDB builds the tables in parallel, so their
            # physical order differs from run to run, and a BI tool reading a table without an order by would
            # otherwise show the same data in another order.
            for table in tables:
                con.execute(
                    f'create table "{catalog}".main.{table} as '
                    f"select * from warehouse.{PUBLIC_SCHEMA}.{table} order by all"
                )
            published = {
                table: con.execute(f'select count(*) from "{catalog}".main.{table}').fetchone()[0] for table in tables
            }
            con.execute("detach warehouse")
        os.replace(staging, target)
    finally:
        staging.unlink(missing_ok=True)
        Path(f"{staging}.wal").unlink(missing_ok=True)
    return published

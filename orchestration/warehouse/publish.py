"""Publish the marts as a read-only DuckDB file for BI tools, atomically and with small numbers suppressed.

The new file is written beside the published one and renamed over it: a reader that opened the old file keeps a
consistent view (the old inode lives on until it closes), and a failure before the rename leaves the old file intact.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import duckdb

PUBLISHED_FILENAME = "marts.duckdb"
DEFAULT_SUPPRESSION_THRESHOLD = 10
COUNT_UNITS = ("count",)
"""KPI units whose value is a number of people or trajectories, suppressed below the threshold."""


@dataclass(frozen=True)
class PublishedTable:
    name: str
    rows: int


def publish_marts(warehouse_path: Path, published_dir: Path, threshold: int) -> list[PublishedTable]:
    """Copy every table of the warehouse's marts schema into published_dir/marts.duckdb (main schema)."""
    published_dir.mkdir(parents=True, exist_ok=True)
    target = published_dir / PUBLISHED_FILENAME
    staging = published_dir / f"publishing-{os.getpid()}.duckdb.tmp"
    staging.unlink(missing_ok=True)
    try:
        with duckdb.connect(str(staging)) as con:
            con.execute(f"attach '{warehouse_path}' as warehouse (read_only)")
            # The tables go into the file's main schema: opened as marts.duckdb the file's catalog is itself named
            # marts, so a BI query for marts.kpi_values finds them (a marts schema would make that ambiguous).
            (catalog,) = con.execute("select current_database()").fetchone()
            tables = [
                name
                for (name,) in con.execute(
                    "select table_name from duckdb_tables() where database_name = 'warehouse' and schema_name = 'marts'"
                    " order by table_name"
                ).fetchall()
            ]
            for table in tables:
                con.execute(f'create table "{catalog}".main.{table} as select * from warehouse.marts.{table}')
            if "kpi_values" in tables:
                _suppress_small_numbers(con, f'"{catalog}".main.kpi_values', threshold)
            published = [
                PublishedTable(table, con.execute(f'select count(*) from "{catalog}".main.{table}').fetchone()[0])
                for table in tables
            ]
            con.execute("detach warehouse")
        os.replace(staging, target)
    finally:
        staging.unlink(missing_ok=True)
    return published


def _suppress_small_numbers(con: duckdb.DuckDBPyConnection, kpi_table: str, threshold: int) -> None:
    """Counts strictly between 0 and the threshold, and rates whose numerator is such a count, are withheld."""
    con.execute(
        f"""
        update {kpi_table}
        set value = null, numerator = null, denominator = null, suppressed = true
        where (unit in (select unnest(?)) and value > 0 and value < ?)
           or (unit not in (select unnest(?)) and unit <> 'EUR' and numerator > 0 and numerator < ?)
        """,
        [list(COUNT_UNITS), threshold, list(COUNT_UNITS), threshold],
    )

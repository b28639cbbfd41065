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
KPI_DIMENSION = "dim_kpi"
"""The KPI catalogue in the marts: its numerator_kind and denominator_kind say which figures are counts."""


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
                if KPI_DIMENSION not in tables:
                    raise ValueError(f"marts.kpi_values is published without marts.{KPI_DIMENSION}: cannot tell counts")
                _suppress_small_numbers(con, f'"{catalog}".main', threshold)
            published = [
                PublishedTable(table, con.execute(f'select count(*) from "{catalog}".main.{table}').fetchone()[0])
                for table in tables
            ]
            con.execute("detach warehouse")
        os.replace(staging, target)
    finally:
        staging.unlink(missing_ok=True)
    return published


def _suppress_small_numbers(con: duckdb.DuckDBPyConnection, schema: str, threshold: int) -> None:
    """Withhold every count strictly between 0 and the threshold, and every rate whose numerator or denominator is
    such a count (DESIGN.md section 6). The catalogue says which numerators and denominators are counts; a level
    KPI's numerator is its value."""
    con.execute(
        f"""
        update {schema}.kpi_values as kpi
        set value = null, numerator = null, denominator = null, suppressed = true
        from {schema}.{KPI_DIMENSION} as catalogue
        where kpi.kpi_id = catalogue.kpi_id
          and (
              (catalogue.numerator_kind = 'count' and kpi.numerator > 0 and kpi.numerator < $threshold)
              or (catalogue.denominator_kind = 'count' and kpi.denominator > 0 and kpi.denominator < $threshold)
              or (catalogue.unit = 'count' and kpi.value > 0 and kpi.value < $threshold)
          )
        """,
        {"threshold": threshold},
    )

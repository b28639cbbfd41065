"""Publish the marts as a read-only DuckDB file for BI tools, atomically and with small numbers suppressed.

The new file is written beside the published one and renamed over it: a reader that opened the old file keeps a
consistent view (the old inode lives on until it closes), and a failure before the rename leaves the old file intact.
A publish killed before the rename leaves its staging file (and DuckDB's write-ahead log beside it); the next publish
removes them first, as one run at a time works on the warehouse (orchestration/defs/run_guard.py).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration.settings import DEFAULT_DUCKDB_MEMORY_LIMIT
from orchestration.warehouse.suppression import CountKinds, KpiRow, rows_to_suppress

PUBLISHED_FILENAME = "marts.duckdb"
STAGING_PREFIX = "publishing-"
DEFAULT_SUPPRESSION_THRESHOLD = 10
KPI_DIMENSION = "dim_kpi"
"""The KPI catalogue in the marts: its numerator_kind and denominator_kind say which figures are counts."""
MUNICIPALITY_DIMENSION = "dim_municipality"


@dataclass(frozen=True)
class PublishedTable:
    name: str
    rows: int


def publish_marts(
    warehouse_path: Path, published_dir: Path, threshold: int, memory_limit: str = DEFAULT_DUCKDB_MEMORY_LIMIT
) -> list[PublishedTable]:
    """Copy every table of the warehouse's marts schema into published_dir/marts.duckdb (main schema), DuckDB using
    at most memory_limit (the warehouse's setting; without it DuckDB takes up to 80% of the machine)."""
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
                    "select table_name from duckdb_tables() where database_name = 'warehouse' and schema_name = 'marts'"
                    " order by table_name"
                ).fetchall()
            ]
            # Rows are stored sorted on every column, left to right: DuckDB builds the marts in parallel, so their
            # physical order differs from run to run, and a BI tool reading a table without an order by would
            # otherwise show the same data in another order.
            for table in tables:
                con.execute(
                    f'create table "{catalog}".main.{table} as select * from warehouse.marts.{table} order by all'
                )
            if "kpi_values" in tables:
                for dimension in (KPI_DIMENSION, MUNICIPALITY_DIMENSION):
                    if dimension not in tables:
                        raise ValueError(f"marts.kpi_values is published without marts.{dimension}: cannot suppress")
                _suppress_small_numbers(con, f'"{catalog}".main', threshold)
                if {"steering_signals", "steering_drivers"} <= set(tables):
                    _steering_follows_kpi_suppression(con, f'"{catalog}".main', "dialogue_agenda" in tables)
            published = [
                PublishedTable(table, con.execute(f'select count(*) from "{catalog}".main.{table}').fetchone()[0])
                for table in tables
            ]
            con.execute("detach warehouse")
        os.replace(staging, target)
    finally:
        staging.unlink(missing_ok=True)
        Path(f"{staging}.wal").unlink(missing_ok=True)
    return published


def _suppress_small_numbers(con: duckdb.DuckDBPyConnection, schema: str, threshold: int) -> None:
    """Withhold every count strictly between 0 and the threshold, every rate built on one, and the rows that would
    give them away (orchestration/warehouse/suppression.py). The catalogue says which figures are counts."""
    kinds = {
        kpi_id: CountKinds(unit == "count", numerator_kind == "count", denominator_kind == "count")
        for kpi_id, unit, numerator_kind, denominator_kind in con.execute(
            f"select kpi_id, unit, numerator_kind, denominator_kind from {schema}.{KPI_DIMENSION}"
        ).fetchall()
    }
    rows = [
        KpiRow((kpi_id, scope_type, scope_code, period_type, period), *_floats(value, numerator, denominator))
        for kpi_id, scope_type, scope_code, period_type, period, value, numerator, denominator in con.execute(
            f"select kpi_id, scope_type, scope_code, period_type, period, value, numerator, denominator "
            f"from {schema}.kpi_values"
        ).fetchall()
    ]
    withheld = rows_to_suppress(rows, kinds, _regions_of_municipalities(con, schema), threshold)
    # Five parallel lists unnested in one statement: executemany would cost a round trip per withheld row.
    columns = list(zip(*sorted(withheld), strict=True)) or [[]] * 5
    con.execute(
        "create temporary table withheld as select unnest($1::varchar[]) as kpi_id, unnest($2::varchar[]) as "
        "scope_type, unnest($3::varchar[]) as scope_code, unnest($4::varchar[]) as period_type, "
        "unnest($5::varchar[]) as period",
        [list(column) for column in columns],
    )
    con.execute(
        f"""
        update {schema}.kpi_values as kpi
        set value = null, numerator = null, denominator = null, suppressed = true
        from withheld
        where kpi.kpi_id = withheld.kpi_id and kpi.scope_type = withheld.scope_type
          and kpi.scope_code = withheld.scope_code and kpi.period_type = withheld.period_type
          and kpi.period = withheld.period
        """
    )
    con.execute("drop table withheld")


def _floats(*figures) -> list[float | None]:
    return [None if figure is None else float(figure) for figure in figures]


def _regions_of_municipalities(con: duckdb.DuckDBPyConnection, schema: str) -> dict[str, str]:
    """Municipality -> region, for the sums of municipalities that make a region (dim_municipality)."""
    return dict(
        con.execute(
            f"select municipality_code, region_code from {schema}.{MUNICIPALITY_DIMENSION} "
            "where region_code is not null"
        ).fetchall()
    )


def _steering_follows_kpi_suppression(con: duckdb.DuckDBPyConnection, schema: str, has_agenda: bool) -> None:
    """The steering marts repeat KPI values (a signal's value and trend, a driver's contribution, an agenda item's
    text): where the published kpi_values row is withheld, so is every repetition of it."""
    con.execute(
        f"""
        create temporary table withheld_quarters as
        select kpi_id, scope_type, scope_code, period,
               4 * cast(left(period, 4) as integer) + cast(right(period, 1) as integer) as quarter_index
        from {schema}.kpi_values
        where suppressed and period_type = 'quarter'
        """
    )
    # A driver is withheld with its own KPI row, with the signal it explains, and where its part of the scope (a
    # provider within a region, say: not a published scope) holds a small count itself.
    con.execute(
        f"""
        update {schema}.steering_drivers as driver
        set contribution = null, share = null
        where driver.small_count or exists (
            select 1 from withheld_quarters as withheld
            where driver.kpi_id = withheld.kpi_id and driver.period = withheld.period
              and ((driver.driver_type = withheld.scope_type and driver.driver_code = withheld.scope_code)
                   or (driver.scope_type = withheld.scope_type and driver.scope_code = withheld.scope_code))
        )
        """
    )
    # The trend spans the signal's quarter and the three before it: one withheld quarter hides the trend's values.
    con.execute(
        f"""
        update {schema}.steering_signals as signal
        set trend_values = null, trend_slope = null
        from withheld_quarters as withheld
        where signal.kpi_id = withheld.kpi_id and signal.scope_type = withheld.scope_type
          and signal.scope_code = withheld.scope_code
          and withheld.quarter_index between
              4 * cast(left(signal.period, 4) as integer) + cast(right(signal.period, 1) as integer) - 3
              and 4 * cast(left(signal.period, 4) as integer) + cast(right(signal.period, 1) as integer)
        """
    )
    con.execute(
        f"""
        update {schema}.steering_signals as signal
        set value = null, status = 'no_data', no_data_reason = 'suppressed', severity = null, drivers = null
        from withheld_quarters as withheld
        where signal.kpi_id = withheld.kpi_id and signal.scope_type = withheld.scope_type
          and signal.scope_code = withheld.scope_code and signal.period = withheld.period
        """
    )
    con.execute(
        f"""
        update {schema}.steering_signals as signal
        set drivers = null
        where exists (
            select 1 from {schema}.steering_drivers as driver
            where driver.kpi_id = signal.kpi_id and driver.scope_type = signal.scope_type
              and driver.scope_code = signal.scope_code and driver.period = signal.period
              and driver.driver_rank <= 3 and driver.share is null
        )
        """
    )
    if has_agenda:
        _agenda_follows_signals(con, schema)
    con.execute("drop table withheld_quarters")


def _agenda_follows_signals(con: duckdb.DuckDBPyConnection, schema: str) -> None:
    """An agenda item quotes its signal's value and drivers: an item about a withheld value, or about a provider's
    withheld share, is left out; a withheld driver list is cut from the summary; the rest is ranked again."""
    con.execute(
        f"""
        delete from {schema}.dialogue_agenda as item
        where exists (
            select 1 from {schema}.steering_signals as signal
            where signal.kpi_id = item.kpi_id and signal.scope_type = item.scope_type
              and signal.scope_code = item.scope_code and signal.period = item.period and signal.status = 'no_data'
        )
        or exists (
            select 1 from {schema}.steering_drivers as driver
            where driver.kpi_id = item.kpi_id and driver.scope_type = item.scope_type
              and driver.scope_code = item.scope_code and driver.period = item.period
              and driver.driver_type = 'provider' and driver.driver_code = item.provider_agb and driver.share is null
        )
        """
    )
    con.execute(
        f"""
        update {schema}.dialogue_agenda as item
        set summary_nl = regexp_replace(item.summary_nl, ' Grootste bijdragen.*$', '')
        from {schema}.steering_signals as signal
        where signal.kpi_id = item.kpi_id and signal.scope_type = item.scope_type
          and signal.scope_code = item.scope_code and signal.period = item.period and signal.drivers is null
        """
    )
    con.execute(
        f"""
        update {schema}.dialogue_agenda as item
        set item_rank = ranked.item_rank
        from (
            select rowid as row_id,
                   cast(row_number() over (
                       partition by region_code, provider_agb, period order by item_rank
                   ) as integer) as item_rank
            from {schema}.dialogue_agenda
        ) as ranked
        where item.rowid = ranked.row_id
        """
    )

"""Run a few dbt models of the steering layer on a small DuckDB that a test writes by hand.

The steering marts read only marts and intermediate relations (kpi_values, the crossed KPI scopes, the dims,
fct_declaration_line, int_kpi_periods), so a test can write exactly the rows its hand computation needs, run the
models under test through dagster-dbt's DbtCliResource (as the pipeline does, never a bare subprocess) and read the
result, without a pipeline run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import duckdb

from tests.dbt_workspace import run_dbt

Row = Sequence[object]


def write_tables(db_path: Path, tables: Mapping[str, tuple[str, Iterable[Row]]]) -> None:
    """tables: 'schema.table' -> (column definitions as in create table, rows)."""
    with duckdb.connect(str(db_path)) as con:
        for name, (columns, rows) in tables.items():
            schema = name.split(".")[0]
            con.execute(f"create schema if not exists {schema}")
            con.execute(f"create or replace table {name} ({columns})")
            rows = list(rows)
            if rows:
                placeholders = ", ".join("?" for _ in rows[0])
                con.executemany(f"insert into {name} values ({placeholders})", rows)


def build_models(db_path: Path, models: Sequence[str], dbt_vars: Mapping[str, object] | None = None) -> None:
    """dbt build (models and their tests) of `models` against db_path; raises when a model or test fails."""
    run_dbt(db_path, ["build", "--select", *models], dbt_vars)


def query(db_path: Path, sql: str, parameters: Sequence[object] = ()) -> list[tuple]:
    with duckdb.connect(str(db_path), read_only=True) as con:
        return con.execute(sql, list(parameters)).fetchall()


SIZE_CLASS_COLUMNS = "municipality_code varchar, size_class_code varchar"
"""int_municipality_size_classes as the KPI families read it (macro kpi_scopes): a test's municipalities' classes."""
PERIODS_COLUMNS = (
    "period_type varchar, period varchar, period_year integer, first_day date, last_day date, data_last_day date"
)


def quarter_periods(years: Iterable[int]) -> list[Row]:
    """int_kpi_periods rows: the quarters and years of `years` (data to the end of the last year)."""
    years = sorted(years)
    last = dt.date(years[-1], 12, 31)
    rows: list[Row] = []
    for year in years:
        rows.append(("year", str(year), year, dt.date(year, 1, 1), dt.date(year, 12, 31), last))
        for quarter in range(1, 5):
            first = dt.date(year, 3 * quarter - 2, 1)
            end = dt.date(year + quarter // 4, 3 * quarter % 12 + 1, 1) - dt.timedelta(days=1)
            rows.append(("quarter", f"{year}-Q{quarter}", year, first, end, last))
    return rows

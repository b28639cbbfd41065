"""The closes DuckDB file: the close's own build of the dbt project, and the history of every close.

WAREHOUSE_DIR/closes/quarterly_closes.duckdb holds a copy of the live warehouse's raw and audit tables (dbt's sources)
and the dbt models built from them with the var data_cut; those are scratch, rebuilt by the next close. The schema
close_history is the record: append-only tables of every close's KPI values, signals, deliveries and report rows, each
row under its close_id. A report page is rendered from the build's report models when the quarter closes, and can be
rendered again from the history alone (report_from_history) to the same bytes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration import warehouse_file
from orchestration.report.data import DATASETS, MUNICIPALITIES, PERIODS, ReportData, load_quarter_data
from orchestration.report.html import render_report_html
from orchestration.warehouse.schema import ensure_schema

CLOSES_FILE = "quarterly_closes.duckdb"
"""Not closes.duckdb: DuckDB names the catalog after the file, and a catalog named like the schema closes makes
`closes.close_deliveries` ambiguous."""
HISTORY = "close_history"
COPIED_SCHEMAS = ("raw", "audit")
"""What dbt's sources read from the live warehouse: the landing tables and the ingest's ledger and quarantine."""
CLOSE_MODELS = {
    "kpi_values": "closes.close_kpi_values",
    "signals": "closes.close_signals",
}
"""History table -> the close model whose rows of the quarter and region it keeps."""
DELIVERIES = "closes.close_deliveries"
DATA_CUT = "closes.close_data_cut"
REPORT_MODELS = [PERIODS.model, MUNICIPALITIES.model, *dict.fromkeys(dataset.model for dataset in DATASETS.values())]
"""The report models a region's page reads (orchestration/report/data.py), kept per close under the same names."""
CLOSES_DDL = f"""
create table if not exists {HISTORY}.closes (
    close_id varchar primary key,
    quarter varchar not null,
    region_code varchar not null,
    data_cut date,
    as_of date not null,
    run_id varchar not null,
    closed_at timestamptz not null,
    deliveries bigint not null,
    report_path varchar,
    report_sha256 varchar
)
"""


@dataclass(frozen=True)
class Close:
    close_id: str
    quarter: str
    region_code: str
    data_cut: dt.date | None
    """The latest delivery date the close includes (None: no delivery up to as_of)."""
    as_of: dt.date
    """The cut it was asked for: deliveries dated on or before it."""
    run_id: str
    deliveries: int
    """Deliveries of the region the close saw."""
    kpi_values: int
    report_path: Path | None
    report_sha256: str | None


def closes_path(closes_dir: Path) -> Path:
    return closes_dir / CLOSES_FILE


def close_id(quarter: str, region_code: str, run_id: str) -> str:
    return f"{quarter}|{region_code}|{run_id}"


def _quoted(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


@contextmanager
def connect(path: Path, memory_limit: str, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    con = warehouse_file.connect(path, memory_limit, read_only=read_only)
    try:
        yield con
    finally:
        con.close()


def prepare_build(live_path: Path, path: Path, memory_limit: str) -> None:
    """Copy the live warehouse's raw and audit tables as they are now into the closes file (the live file is only
    read), and make sure the history schema exists."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with connect(path, memory_limit) as con:
        ensure_schema(con)
        con.execute(f"create schema if not exists {HISTORY}")
        con.execute(CLOSES_DDL)
        con.execute(f"attach {_quoted(live_path)} as live (read_only)")
        try:
            tables = con.execute(
                "select schema_name, table_name from duckdb_tables() where database_name = 'live' "
                "and schema_name in (select unnest(?)) order by all",
                [list(COPIED_SCHEMAS)],
            ).fetchall()
            con.execute("begin transaction")
            for schema, table in tables:
                con.execute(f'create or replace table {schema}."{table}" as select * from live.{schema}."{table}"')
            con.execute("commit")
        finally:
            con.execute("detach live")


def data_cut(con: duckdb.DuckDBPyConnection) -> dt.date | None:
    """The data cut the closes made from the build record: its latest delivery date (dbt model close_data_cut)."""
    return con.execute(f"select data_cut from {DATA_CUT}").fetchone()[0]


def freeze(
    con: duckdb.DuckDBPyConnection,
    quarter: str,
    region_code: str,
    run_id: str,
    as_of: dt.date,
    reports_dir: Path,
    closed_at: dt.datetime,
) -> Close:
    """Append the close of one quarter and region, as the build in `con` holds it, to the history and write its
    report page; all of it in one transaction, so a failure leaves no half close."""
    identity = close_id(quarter, region_code, run_id)
    cut = data_cut(con)
    con.execute("begin transaction")
    try:
        for table, model in CLOSE_MODELS.items():
            _append(con, identity, table, model, "region_code = ? and quarter = ?", [region_code, quarter])
        deliveries = _append(con, identity, "deliveries", DELIVERIES, "region_code = ?", [region_code])
        has_report = _append_report_rows(con, identity, quarter, region_code)
        report_path = report_sha256 = None
        if has_report:
            data = _stamped(load_quarter_data(con, quarter, [region_code])[0], cut, run_id)
            report_path = reports_dir / region_code / quarter / f"{cut}_{run_id}.html"
            report_sha256 = _write(report_path, render_report_html(data))
        con.execute(
            f"insert into {HISTORY}.closes values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                identity,
                quarter,
                region_code,
                cut,
                as_of,
                run_id,
                closed_at,
                deliveries,
                None if report_path is None else str(report_path),
                report_sha256,
            ],
        )
        (kpi_values,) = con.execute(
            f"select count(*) from {HISTORY}.kpi_values where close_id = ?", [identity]
        ).fetchone()
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return Close(identity, quarter, region_code, cut, as_of, run_id, deliveries, kpi_values, report_path, report_sha256)


def _append(con: duckdb.DuckDBPyConnection, identity: str, table: str, model: str, where: str, params: list) -> int:
    """Append a model's rows to its history table under the close's id; a column the model gained since the table
    was made is added to it (older closes have null there). Returns the rows appended."""
    target = f"{HISTORY}.{table}"
    con.execute(f"create table if not exists {target} as select '' as close_id, * from {model} limit 0")
    have = {row[0] for row in con.execute(f"select name from pragma_table_info('{target}')").fetchall()}
    described = con.execute(f"describe {model}").fetchall()
    for name, column_type, *_ in described:
        if name not in have:
            con.execute(f'alter table {target} add column "{name}" {column_type}')
    con.execute(f"insert into {target} by name select ? as close_id, * from {model} where {where}", [identity, *params])
    (appended,) = con.execute(f"select count(*) from {target} where close_id = ?", [identity]).fetchone()
    return appended


def _append_report_rows(con: duckdb.DuckDBPyConnection, identity: str, quarter: str, region_code: str) -> bool:
    """Keep the rows of every report model the region's page reads; whether the report layer has the quarter (it
    reports the latest four quarters with data)."""
    for model in REPORT_MODELS:
        columns = {row[0] for row in con.execute(f"describe report.{model}").fetchall()}
        where, params = "region_code = ?", [region_code]
        if "quarter" in columns:
            where, params = where + " and quarter = ?", [*params, quarter]
        _append(con, identity, model, f"report.{model}", where, params)
    (periods,) = con.execute(
        f"select count(*) from {HISTORY}.{PERIODS.model} where close_id = ?", [identity]
    ).fetchone()
    return periods > 0


def _stamped(data: ReportData, cut: dt.date | None, run_id: str) -> ReportData:
    return dataclasses.replace(data, close_data_cut=None if cut is None else cut.isoformat(), run_id=run_id)


def _write(path: Path, html: str) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    content = html.encode("utf-8")
    path.write_bytes(content)
    return hashlib.sha256(content).hexdigest()


def report_from_history(path: Path, identity: str) -> bytes:
    """The report page of a stored close, rendered again from the history alone (read-only)."""
    with connect(Path(":memory:"), "1GB") as con:
        con.execute(f"attach {_quoted(path)} as store (read_only)")
        row = con.execute(
            f"select quarter, region_code, data_cut, run_id from store.{HISTORY}.closes where close_id = ?",
            [identity],
        ).fetchone()
        if row is None:
            raise KeyError(f"no close {identity!r} in {path}")
        quarter, region_code, cut, run_id = row
        con.execute("create schema report")
        literal = "'" + identity.replace("'", "''") + "'"
        for model in REPORT_MODELS:
            con.execute(
                f"create view report.{model} as select * exclude (close_id) "
                f"from store.{HISTORY}.{model} where close_id = {literal}"
            )
        data = _stamped(load_quarter_data(con, quarter, [region_code])[0], cut, run_id)
        return render_report_html(data).encode("utf-8")

"""DDL for the tables Python writes: raw.* (append-only landing tables) and audit.* (DESIGN.md section 4).

Every raw table is its columns plus the provenance columns: the iJw tables' columns are derived from the record
dataclasses the readers produce, so a field added to a reader is a column added here; the CBS and budget readers
produce dicts, whose columns are declared here (docs/cbs.md, docs/budgets.md). dbt owns everything downstream; these
tables are its sources.
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from collections.abc import Sequence

import duckdb

from orchestration.ijw.allocations import Allocation
from orchestration.ijw.care_events import CareEvent
from orchestration.ijw.jw323 import DeclarationLine
from orchestration.ijw.referral_requests import ReferralRequest
from orchestration.warehouse.load import LedgerEntry, QuarantineRow, transaction

RAW_TABLES: dict[str, type] = {
    "raw.ijw_declaration_lines": DeclarationLine,
    "raw.ijw_allocations": Allocation,
    "raw.ijw_start_events": CareEvent,
    "raw.ijw_stop_events": CareEvent,
    "raw.ijw_referral_requests": ReferralRequest,
}

PROVENANCE_COLUMNS = (
    "file_path varchar not null",
    "file_sha256 varchar not null",
    "ingested_at timestamptz not null",
    "run_id varchar not null",
)

_PERIOD = (
    "period_code varchar not null",
    "period_type varchar not null",
    "period varchar not null",
    "year integer not null",
    "status varchar",
)
_OBSERVATIONS = (
    "table_id varchar not null",
    "scope_code varchar not null",
    *_PERIOD,
    "category varchar not null",
    "measure_key varchar not null",
    "measure_title varchar",
    "unit varchar",
    "value double",
)
_CBS_KEYS = ("jeugdzorg_kerncijfers", "jeugdzorg_trajecten", "jeugdzorg_gemeenten", "jeugdzorg_kosten")
CBS_BUDGET_TABLES: dict[str, tuple[str, ...]] = {
    **{f"raw.cbs_{name}": (*_OBSERVATIONS, "source_record varchar not null") for name in _CBS_KEYS},
    "raw.cbs_population": (
        "table_id varchar not null",
        "scope_code varchar not null",
        *_PERIOD,
        "age_key varchar not null",
        "age_years integer",
        "persons bigint",
        "source_record varchar not null",
    ),
    "raw.cbs_regions": (
        "table_id varchar not null",
        "municipality_code varchar not null",
        "municipality_name varchar",
        "region_code varchar not null",
        "region_name varchar",
        *_PERIOD,
        "source_record varchar not null",
    ),
    "raw.cbs_iv3": (
        "table_id varchar not null",
        "municipality_code varchar not null",
        *_PERIOD,
        "taakveld_key varchar not null",
        "taakveld_code varchar",
        "taakveld_title varchar",
        "category varchar not null",
        "report_key varchar not null",
        "report_kind varchar not null",
        "amount_1e_thousands double",
        "amount_1e_no_data boolean not null",
        "amount_2e_thousands double",
        "amount_2e_no_data boolean not null",
        "placement varchar",
        "amount_cents bigint",
        "source_record varchar not null",
    ),
    "raw.budget_region_lines": (
        "municipality_code varchar not null",
        "year integer not null",
        "perceel varchar not null",
        "amount_cents bigint not null",
        "note varchar",
        "source_line integer not null",
    ),
}
"""The columns of the CBS and budget raw tables, before the provenance columns."""

_SQL_TYPES = {int: "bigint", str: "varchar", dt.date: "date", bool: "boolean", dt.datetime: "timestamptz"}


def _columns(record_type: type) -> list[str]:
    """A column per field of the dataclass, typed by its hint, null only where the hint allows None."""
    columns = []
    for name, hint in typing.get_type_hints(record_type).items():
        nullable = isinstance(hint, types.UnionType) and type(None) in typing.get_args(hint)
        base = next(arg for arg in typing.get_args(hint) if arg is not type(None)) if nullable else hint
        columns.append(f"{name} {_SQL_TYPES[base]}{'' if nullable else ' not null'}")
    return columns


AUDIT_STATEMENTS = [
    "create schema if not exists raw",
    "create schema if not exists audit",
    f"""
    create table if not exists audit.ingest_ledger (
        {", ".join(_columns(LedgerEntry))},
        check (status in ('loaded', 'duplicate', 'rejected')),
        check (records_read = records_accepted + records_quarantined),
        check (amount_cents_read = amount_cents_accepted + amount_cents_quarantined)
    )
    """,
    f"create table if not exists audit.quarantine ({', '.join(_columns(QuarantineRow))})",
    # A quarantine made before these columns gets them at its end (null on its rows); every insert names its columns.
    "alter table audit.quarantine add column if not exists municipality_code varchar",
    "alter table audit.quarantine add column if not exists provider_agb varchar",
    "alter table audit.quarantine add column if not exists period_start date",
    # Every listed file version of every source, iJw's with its message type and sender, and the sha256 the ingest read
    # there (orchestration/warehouse/landing_inventory.py): a cache, not a record; deleting it only costs one more
    # classification and read of every landed file (a duplicate ledger row each).
    """
    create table if not exists audit.landed_files (
        file_path varchar primary key,
        size_bytes bigint not null,
        mtime_ns bigint not null,
        message_type varchar,
        sender varchar,
        file_sha256 varchar
    )
    """,
]
_REPLACED_INVENTORIES = {
    "audit.ijw_landed_files": ("file_path", "size_bytes", "mtime_ns", "message_type", "sender", "file_sha256"),
    "audit.landed_files_read": ("file_path", "size_bytes", "mtime_ns", "file_sha256"),
}
"""The two caches audit.landed_files replaced (the iJw inventory, the CBS and budget files read), with the columns
it takes over from each."""


def raw_table_ddl(table: str, columns: Sequence[str]) -> str:
    return f"create table if not exists {table} ({', '.join([*columns, *PROVENANCE_COLUMNS])})"


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    for statement in AUDIT_STATEMENTS:
        con.execute(statement)
    for table, columns in CBS_BUDGET_TABLES.items():
        con.execute(raw_table_ddl(table, columns))
    for table, record_type in RAW_TABLES.items():
        con.execute(raw_table_ddl(table, _columns(record_type)))
        _add_source_record(con, table, record_type)
    for table, columns in _REPLACED_INVENTORIES.items():
        _carry_over(con, table, columns)


def _column_names(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    schema, name = table.split(".")
    return {
        column
        for (column,) in con.execute(
            "select column_name from information_schema.columns where table_catalog = current_database() "
            "and table_schema = ? and table_name = ?",
            [schema, name],
        ).fetchall()
    }


def _carry_over(con: duckdb.DuckDBPyConnection, table: str, columns: tuple[str, ...]) -> None:
    """A warehouse made before audit.landed_files keeps what its old cache knew, so the first run after the upgrade
    neither reads every landed file again nor writes a duplicate ledger row for each. An older layout of the cache
    (without the sender or the sha256) is dropped: its files are classified and read once more."""
    present = _column_names(con, table)
    if not present:
        return
    with transaction(con):
        if present >= set(columns):
            listed = ", ".join(columns)
            con.execute(
                f"""
                insert into audit.landed_files ({listed})
                select {listed} from {table} where file_path not in (select file_path from audit.landed_files)
                """  # noqa: S608 - our own table and column names
            )
        con.execute(f"drop table {table}")


def _add_source_record(con: duckdb.DuckDBPyConnection, table: str, record_type: type) -> None:
    """A raw table made before source_record existed is made again with it, in one transaction. Its rows are numbered
    per file by line, then by the order they were stored in (a file's records were stored in document order): unique
    and in document order, which is all the column is used for; only the file's quarantined records, never stored, are
    not counted."""
    if "source_record" in _column_names(con, table):
        return
    schema, name = table.split(".")
    before = f"{name}_before_source_record"
    with transaction(con):
        con.execute(f"alter table {table} rename to {before}")
        con.execute(raw_table_ddl(table, _columns(record_type)))
        con.execute(
            f"""
            insert into {table} by name
            select *, row_number() over (partition by file_sha256 order by source_line, rowid) as source_record
            from {schema}.{before}
            """  # noqa: S608 - our own table names
        )
        con.execute(f"drop table {schema}.{before}")

"""DDL for the tables Python writes: raw.* (append-only landing tables) and audit.* (DESIGN.md section 4).

dbt owns everything downstream; these tables are its sources.
"""

import duckdb

from orchestration.warehouse import schema_cbs_budgets

STATEMENTS = [
    "create schema if not exists raw",
    "create schema if not exists audit",
    """
    create table if not exists audit.ingest_ledger (
        file_path varchar not null,
        file_sha256 varchar not null,
        message_type varchar,
        records_read bigint not null,
        records_accepted bigint not null,
        records_quarantined bigint not null,
        amount_cents_read bigint not null,
        amount_cents_accepted bigint not null,
        amount_cents_quarantined bigint not null,
        status varchar not null check (status in ('loaded', 'duplicate', 'rejected')),
        ingested_at timestamptz not null,
        run_id varchar not null,
        check (records_read = records_accepted + records_quarantined),
        check (amount_cents_read = amount_cents_accepted + amount_cents_quarantined)
    )
    """,
    """
    create table if not exists audit.quarantine (
        file_sha256 varchar not null,
        file_path varchar not null,
        message_type varchar,
        record_ref varchar,
        reason_code varchar not null,
        reason varchar not null,
        amount_cents bigint not null,
        quarantined_at timestamptz not null,
        run_id varchar not null
    )
    """,
    """
    create table if not exists raw.ijw_declaration_lines (
        client_key varchar not null,
        municipality_code varchar not null,
        provider_agb varchar not null,
        message_id varchar not null,
        declaration_number varchar not null,
        declaration_period_start date not null,
        declaration_period_end date not null,
        declaration_date date not null,
        reference_number varchar not null,
        previous_reference_number varchar,
        allocation_number bigint not null,
        product_category varchar not null,
        product_code varchar not null,
        period_start date not null,
        period_end date not null,
        volume bigint not null,
        unit_code varchar not null,
        tariff_cents bigint,
        amount_cents bigint not null,
        debit_credit varchar not null,
        source_line integer not null,
        file_path varchar not null,
        file_sha256 varchar not null,
        ingested_at timestamptz not null,
        run_id varchar not null
    )
    """,
]


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    for statement in STATEMENTS + schema_cbs_budgets.STATEMENTS:
        con.execute(statement)

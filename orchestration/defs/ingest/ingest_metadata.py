"""What an ingest materialization shows in the UI beyond the ledger's counts: the raw table's columns
(`dagster/column_schema`), this run's quarantined records of the asset by reason code as a table, and money in euros
(orchestration/formats.py) beside the cents the ledger keeps; and what it appended to the ledger and the quarantine,
reported as their materializations (orchestration/defs/ingest/audit_records.py)."""

import dagster as dg
import duckdb

from orchestration.formats import euros_nl

LEDGER_KEY = dg.AssetKey(["audit", "ingest_ledger"])
QUARANTINE_KEY = dg.AssetKey(["audit", "quarantine"])
QUARANTINE_TABLE = "quarantined_by_reason"
"""The metadata key of the quarantine table: a browser test of the declaration asset's page looks for this label."""

_REASON_SCHEMA = dg.TableSchema(
    columns=[
        dg.TableColumn("reason_code", "string", description="The iJw rule (TRnnn, CSnnn, CDnnn) or the ingest's code."),
        dg.TableColumn("records", "int", description="Records or files quarantined for it in this run."),
        dg.TableColumn("amount", "string", description="Their declared amount in euros (signed: credits negative)."),
    ]
)


def column_schema(con: duckdb.DuckDBPyConnection, table: str) -> dg.TableSchema:
    """table's columns as the warehouse holds them: name, DuckDB type, and whether it may be null."""
    schema, name = table.split(".")
    rows = con.execute(
        """
        select column_name, data_type, is_nullable = 'YES'
        from information_schema.columns
        where table_schema = ? and table_name = ?
        order by ordinal_position
        """,
        [schema, name],
    ).fetchall()
    return dg.TableSchema(
        columns=[
            dg.TableColumn(column, data_type, constraints=dg.TableColumnConstraints(nullable=nullable))
            for column, data_type, nullable in rows
        ]
    )


def quarantined_by_reason(
    con: duckdb.DuckDBPyConnection, run_id: str, message_types: list[str]
) -> dg.TableMetadataValue:
    """This run's quarantine rows of the given message types, counted and summed per reason code."""
    rows = con.execute(
        """
        select reason_code, count(*), sum(amount_cents)
        from audit.quarantine
        where run_id = ? and message_type in (select unnest(?::varchar[]))
        group by reason_code
        order by reason_code
        """,
        [run_id, message_types],
    ).fetchall()
    return dg.MetadataValue.table(
        records=[
            dg.TableRecord({"reason_code": code, "records": records, "amount": euros_nl(cents, decimals=2)})
            for code, records, cents in rows
        ],
        schema=_REASON_SCHEMA,
    )


def ingest_metadata(
    con: duckdb.DuckDBPyConnection, table: str, run_id: str, message_types: list[str], ledger: dict[str, int | float]
) -> dict[str, object]:
    """ledger (orchestration/warehouse/load.py ledger_metadata) with the table's columns, the quarantine by reason,
    and the accepted and quarantined cents as euros."""
    return {
        **ledger,
        "amount_accepted": euros_nl(ledger["cents_accepted"], decimals=2),
        "amount_quarantined": euros_nl(ledger["cents_quarantined"], decimals=2),
        QUARANTINE_TABLE: quarantined_by_reason(con, run_id, message_types),
        "dagster/column_schema": column_schema(con, table),
    }


def audit_materializations(
    con: duckdb.DuckDBPyConnection, run_id: str, message_types: list[str], writer: dg.AssetKey
) -> list[dg.AssetMaterialization]:
    """The rows writer appended in this run to audit.ingest_ledger and audit.quarantine, as materializations of them."""
    ledger_rows, quarantine_rows = con.execute(
        """
        select
            (select count(*) from audit.ingest_ledger where run_id = $run and message_type in (select unnest($types))),
            (select count(*) from audit.quarantine where run_id = $run and message_type in (select unnest($types)))
        """,
        {"run": run_id, "types": message_types},
    ).fetchone()
    appended = {LEDGER_KEY: ledger_rows, QUARANTINE_KEY: quarantine_rows}
    return [
        dg.AssetMaterialization(
            asset_key=key,
            description=f"{rows} rows appended by {writer.to_user_string()}",
            metadata={"rows_appended": rows, "written_by": dg.MetadataValue.asset(writer)},
        )
        for key, rows in appended.items()
    ]

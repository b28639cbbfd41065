"""What an ingest materialization shows in the UI beyond the ledger's counts: the raw table's columns
(`dagster/column_schema`), this run's quarantined records of the asset by reason code as a table, and money in euros
(orchestration/formats.py) beside the cents the ledger keeps; and what it appended to the ledger and the quarantine,
reported as their materializations (orchestration/defs/ingest/audit_records.py)."""

from __future__ import annotations

from dataclasses import dataclass

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


def column_schemas(con: duckdb.DuckDBPyConnection, tables: list[str]) -> dict[str, dg.TableSchema]:
    """Each table's columns as the warehouse holds them: name, DuckDB type, and whether it may be null; one query."""
    rows = con.execute(
        """
        select table_schema || '.' || table_name, column_name, data_type, is_nullable = 'YES'
        from information_schema.columns
        where table_schema || '.' || table_name in (select unnest(?::varchar[]))
        order by ordinal_position
        """,
        [tables],
    ).fetchall()
    columns: dict[str, list[dg.TableColumn]] = {table: [] for table in tables}
    for table, column, data_type, nullable in rows:
        columns[table].append(
            dg.TableColumn(column, data_type, constraints=dg.TableColumnConstraints(nullable=nullable))
        )
    return {table: dg.TableSchema(columns=listed) for table, listed in columns.items()}


@dataclass(frozen=True)
class RunRecords:
    """What this run appended to the quarantine and the ledger, per message type: read once for a step's assets."""

    quarantined: dict[str, list[tuple[str, int, int]]]
    """(reason code, records, cents) per message type."""
    appended: dict[str, tuple[int, int]]
    """(ledger rows, quarantine rows) per message type."""

    @classmethod
    def read(cls, con: duckdb.DuckDBPyConnection, run_id: str) -> RunRecords:
        quarantined: dict[str, list[tuple[str, int, int]]] = {}
        for message_type, reason_code, records, cents in con.execute(
            """
            select message_type, reason_code, count(*), sum(amount_cents)
            from audit.quarantine where run_id = ? group by all order by all
            """,
            [run_id],
        ).fetchall():
            quarantined.setdefault(message_type, []).append((reason_code, records, cents))
        appended = con.execute(
            """
            select message_type, count(*) filter (where in_ledger), count(*) filter (where not in_ledger)
            from (
                select message_type, true as in_ledger from audit.ingest_ledger where run_id = $run
                union all
                select message_type, false from audit.quarantine where run_id = $run
            )
            group by all
            """,
            {"run": run_id},
        ).fetchall()
        return cls(quarantined, {message_type: (ledger, quarantine) for message_type, ledger, quarantine in appended})

    def quarantined_by_reason(self, message_types: list[str]) -> dg.TableMetadataValue:
        """The quarantine rows of the given message types, counted and summed per reason code."""
        by_reason: dict[str, tuple[int, int]] = {}
        for message_type in message_types:
            for reason_code, records, cents in self.quarantined.get(message_type, []):
                counted, summed = by_reason.get(reason_code, (0, 0))
                by_reason[reason_code] = (counted + records, summed + cents)
        return dg.MetadataValue.table(
            records=[
                dg.TableRecord({"reason_code": code, "records": records, "amount": euros_nl(cents, decimals=2)})
                for code, (records, cents) in sorted(by_reason.items())
            ],
            schema=_REASON_SCHEMA,
        )

    def audit_materializations(self, message_types: list[str], writer: dg.AssetKey) -> list[dg.AssetMaterialization]:
        """The rows writer appended to audit.ingest_ledger and audit.quarantine, as materializations of them; none of
        a table it appended nothing to (a re-run with nothing new), which did not change."""
        ledger_rows = sum(self.appended.get(message_type, (0, 0))[0] for message_type in message_types)
        quarantine_rows = sum(self.appended.get(message_type, (0, 0))[1] for message_type in message_types)
        return [
            dg.AssetMaterialization(
                asset_key=key,
                description=f"{rows} rows appended by {writer.to_user_string()}",
                metadata={"rows_appended": rows, "written_by": dg.MetadataValue.asset(writer)},
            )
            for key, rows in ((LEDGER_KEY, ledger_rows), (QUARANTINE_KEY, quarantine_rows))
            if rows
        ]


def ingest_metadata(
    records: RunRecords, columns: dg.TableSchema, message_types: list[str], ledger: dict[str, int | float]
) -> dict[str, object]:
    """ledger (orchestration/warehouse/load.py ledger_metadata) with the table's columns, the quarantine by reason,
    and the accepted and quarantined cents as euros."""
    return {
        **ledger,
        "amount_accepted": euros_nl(ledger["cents_accepted"], decimals=2),
        "amount_quarantined": euros_nl(ledger["cents_quarantined"], decimals=2),
        QUARANTINE_TABLE: records.quarantined_by_reason(message_types),
        "dagster/column_schema": columns,
    }

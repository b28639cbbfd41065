"""One blocking reconciliation check per ingest asset: the ledger against the raw and quarantine tables.

The check recomputes, from the warehouse alone, that no record and no cent was lost or invented between the landed
files and the tables (orchestration/quality/reconciliation.py); a failure names the files and what disagrees.
"""

from collections.abc import Callable

import dagster as dg

from orchestration.budgets.region_budget import MESSAGE_TYPE as BUDGET_MESSAGE_TYPE
from orchestration.cbs.datasets import IV3, STATISTICS_DATASETS
from orchestration.defs.resources import WarehouseResource
from orchestration.quality.reconciliation import reconcile, totals
from orchestration.warehouse.ijw_messages import IJW_INGESTS


def build_reconciliation_check(table: str, sources: str, loads_from: Callable[[str], bool]) -> dg.AssetChecksDefinition:
    """loads_from says which ledger message types (JW323, CBS:85099NED, ...) are this table's files."""
    schema, name = table.split(".")

    @dg.asset_check(
        asset=dg.AssetKey([schema, name]),
        name="reconciliation",
        blocking=True,
        description=(
            f"Per {sources} file and in total: records and signed cents read (audit.ingest_ledger) = accepted "
            f"({table}) + quarantined (audit.quarantine)."
        ),
    )
    def _check(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        with warehouse.connect(read_only=True) as con:
            landed = con.execute("select distinct message_type from audit.ingest_ledger").fetchall()
            message_types = {message_type for (message_type,) in landed if message_type and loads_from(message_type)}
            mismatches = reconcile(con, table, message_types)
            summed = totals(con, message_types)
        return dg.AssetCheckResult(
            passed=not mismatches,
            description=(
                f"{len(mismatches)} disagreements between the ledger and the tables, e.g. "
                + "; ".join(str(mismatch) for mismatch in mismatches[:5])
                if mismatches
                else f"{summed['files']} files: every record and cent read is accepted or quarantined"
            ),
            metadata={**summed, "mismatches": len(mismatches)},
        )

    return _check


def _sources() -> list[tuple[str, str, Callable[[str], bool]]]:
    """(raw table, what lands there, which ledger message types are its files) for every ingest asset."""
    sources = [
        (ingest.table, ingest.spec.message_type, lambda t, wanted=ingest.spec.message_type: t == wanted)
        for ingest in IJW_INGESTS
    ]
    statistics: set[str] = set()
    for dataset in STATISTICS_DATASETS:
        # A snapshot's ledger type is CBS:<the table id inside it>, in whatever case CBS wrote it.
        types = {f"CBS:{table_id}".upper() for table_id in dataset.table_ids}
        statistics |= types
        sources.append((dataset.raw_table, "/".join(dataset.table_ids), lambda t, types=types: t.upper() in types))
    # Iv3 snapshots come from CBS dataderden under a table id per year (45046NED, ...): every other CBS file is Iv3.
    sources.append((IV3.raw_table, "Iv3", lambda t: t.startswith("CBS:") and t.upper() not in statistics))
    sources.append(("raw.budget_region_lines", "region budget", lambda t: t == BUDGET_MESSAGE_TYPE))
    return sources


reconciliation_checks = [build_reconciliation_check(*source) for source in _sources()]

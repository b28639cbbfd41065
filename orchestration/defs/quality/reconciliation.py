"""One blocking reconciliation check per ingest asset, the ledger against the raw and quarantine tables, run in the
wave of checks after the ingest (orchestration/defs/quality/waves.py).

The check recomputes, from the warehouse alone, that no record and no cent was lost or invented between the landed
files and the tables (orchestration/quality/reconciliation.py); a failure names the files and what disagrees. When
none of the rows it reads changed since it last passed, it reports that result (orchestration/quality/remembered.py).
"""

from collections.abc import Callable

import dagster as dg
import duckdb

from orchestration.budgets.region_budget import MESSAGE_TYPE as BUDGET_MESSAGE_TYPE
from orchestration.cbs.datasets import IV3, STATISTICS_DATASETS
from orchestration.defs.quality.check_results import check_result, state_connection
from orchestration.defs.quality.wave import WaveCheck
from orchestration.defs.resources import WarehouseResource
from orchestration.quality import reconciliation
from orchestration.quality.reconciliation import inputs_digest, reconcile, totals
from orchestration.quality.remembered import Outcome, Verdict, checked, code_digest, digest
from orchestration.warehouse.ijw_messages import IJW_INGESTS


def reconciliation_check(table: str, sources: str, loads_from: Callable[[str], bool]) -> WaveCheck:
    """loads_from says which ledger message types (JW323, CBS:85099NED, ...) are this table's files."""
    schema, name = table.split(".")
    asset = dg.AssetKey([schema, name])

    def message_types(con: duckdb.DuckDBPyConnection) -> set[str]:
        landed = con.execute("select distinct message_type from audit.ingest_ledger").fetchall()
        return {message_type for (message_type,) in landed if message_type and loads_from(message_type)}

    spec = dg.AssetCheckSpec(
        name="reconciliation",
        asset=asset,
        blocking=True,
        description=(
            f"Per {sources} file and in total: records and signed cents read (audit.ingest_ledger) = accepted "
            f"({table}) + quarantined (audit.quarantine)."
        ),
    )

    def evaluate(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource) -> dg.AssetCheckResult:
        def validate(_earlier: Verdict | None) -> Outcome:
            with warehouse.connect(read_only=True) as con:
                types = message_types(con)
                mismatches = reconcile(con, table, types)
                summed = totals(con, types)
            return Outcome(
                passed=not mismatches,
                description=(
                    f"{len(mismatches)} disagreements between the ledger and the tables, e.g. "
                    + "; ".join(str(mismatch) for mismatch in mismatches[:5])
                    if mismatches
                    else f"{summed['files']} files: every record and cent read is accepted or quarantined"
                ),
                metadata={**summed, "mismatches": len(mismatches)},
            )

        verdict = checked(
            state_connection(warehouse),
            spec.key.to_user_string(),
            _CHECK_CODE,
            lambda con: digest(inputs_digest(con, table, message_types(con))),
            context.op_execution_context.run_id,
            validate,
        )
        return check_result(verdict)

    return WaveCheck(spec, evaluate)


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


_CHECK_CODE = code_digest(reconciliation.__file__, __file__)
"""The reconciliation's version: the code that decides it (it has no suite)."""

reconciliation_checks = [reconciliation_check(*source) for source in _sources()]

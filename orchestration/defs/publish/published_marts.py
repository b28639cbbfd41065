"""The published, read-only copy of the marts that BI tools read (WAREHOUSE_DIR/published/marts.duckdb)."""

import dagster as dg

from orchestration.defs.dbt.assets import kpi_marts, star_schema
from orchestration.defs.resources import WRITER_POOL, WarehouseResource
from orchestration.warehouse.publish import publish_marts

MART_KEYS = sorted(
    (key for key in [*star_schema.keys, *kpi_marts.keys] if key.path[0] == "marts"), key=lambda key: key.path
)


def failed_blocking_checks(context: dg.AssetExecutionContext) -> list[str]:
    """Blocking checks that failed earlier in this run.

    Dagster skips a step only when a blocking check upstream of that step fails; the dbt steps report dbt tests as
    checks but do not block Python assets downstream of them (dagster issues 18472, 25112), so publish asks itself.
    """
    records = context.instance.get_records_for_run(
        run_id=context.run.run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION
    ).records
    failed = []
    for record in records:
        evaluation = record.event_log_entry.dagster_event.event_specific_data
        if not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.ERROR:
            failed.append(f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}")
    return failed


@dg.asset(
    key=dg.AssetKey(["published", "marts"]),
    deps=MART_KEYS,
    group_name="publish",
    pool=WRITER_POOL,
    kinds={"duckdb"},
    description=(
        "Read-only copy of every marts table for BI tools, written beside the old copy and renamed over it; KPI "
        "counts below the suppression threshold (and rates built on them) are withheld."
    ),
)
def published_marts(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    failed = failed_blocking_checks(context)
    if failed:
        raise dg.Failure(f"not publishing: blocking checks failed in this run: {', '.join(sorted(failed))}")
    settings = warehouse.settings()
    tables = publish_marts(
        settings.duckdb_path, settings.published_dir, settings.suppression_threshold, settings.duckdb_memory_limit
    )
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(settings.published_dir / "marts.duckdb")),
            "tables": len(tables),
            "rows": sum(table.rows for table in tables),
            "suppression_threshold": settings.suppression_threshold,
        }
    )

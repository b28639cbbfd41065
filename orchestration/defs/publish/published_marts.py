"""The published, read-only copy of the public tier that BI tools read (WAREHOUSE_DIR/published/marts.duckdb).

dbt builds the tier (schema public_marts, small counts and their complements withheld); this asset moves its tables
into the file once every blocking check of the run has passed."""

import dagster as dg

from orchestration.defs.dbt.assets import kpi_marts
from orchestration.defs.owners import DATA_ENGINEERING
from orchestration.defs.resources import WRITER_POOL, WarehouseResource
from orchestration.warehouse.publish import PUBLIC_SCHEMA, PUBLISHED_FILENAME, publish_marts

PUBLIC_TIER_KEYS = sorted((key for key in kpi_marts.keys if key.path[0] == PUBLIC_SCHEMA), key=lambda key: key.path)


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


def refuse_after_failed_checks(context: dg.AssetExecutionContext, refusal: str) -> None:
    """Fail the step, saying refusal (what it will not do), when a blocking check failed earlier in this run."""
    failed = failed_blocking_checks(context)
    if failed:
        raise dg.Failure(f"{refusal}: blocking checks failed in this run: {', '.join(sorted(failed))}")


@dg.asset(
    key=dg.AssetKey(["published", "marts"]),
    deps=PUBLIC_TIER_KEYS,
    group_name="publish",
    owners=[DATA_ENGINEERING],
    pool=WRITER_POOL,
    kinds={"duckdb"},
    description=(
        "Read-only copy of the public tier (dbt schema public_marts) for BI tools, written beside the old copy and "
        "renamed over it: KPI values, steering, forecasts and dimensions, with counts below the suppression "
        "threshold and their complements withheld; no client-level row."
    ),
)
def published_marts(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    refuse_after_failed_checks(context, "not publishing")
    settings = warehouse.settings()
    tables = publish_marts(settings.duckdb_path, settings.published_dir, settings.duckdb_memory_limit)
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(settings.published_dir / PUBLISHED_FILENAME)),
            "tables": len(tables),
            "rows": sum(tables.values()),
            "suppression_threshold": settings.suppression_threshold,
        }
    )

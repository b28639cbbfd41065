"""dbt models as Dagster assets, in two steps so the KPI layer waits for every check on the star schema.

All models of one @dbt_assets definition run as one step, and a step only waits for checks upstream of the step
(DESIGN.md section 8). Splitting off the KPI models makes the blocking dbt tests and Great Expectations checks on the
marts a gate in front of kpi_values.
"""

import json

import dagster as dg
from dagster_dbt import DbtCliInvocation, DbtCliResource, dbt_assets

from orchestration.defs.dbt.project import warehouse_dbt_project
from orchestration.defs.dbt.translator import translator
from orchestration.defs.resources import WRITER_POOL, WarehouseResource

KPI_SELECTION = "tag:kpi"
# Both steps read one manifest through one translator, and write DuckDB, so each takes the writer pool's slot.
DBT_STEP = {"manifest": warehouse_dbt_project.manifest_path, "dagster_dbt_translator": translator, "pool": WRITER_POOL}


@dbt_assets(exclude=KPI_SELECTION, name="star_schema", **DBT_STEP)
def star_schema(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
    yield from dbt_build(context, dbt, warehouse).stream()


@dbt_assets(select=KPI_SELECTION, name="kpi_marts", **DBT_STEP)
def kpi_marts(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
    yield from dbt_build(context, dbt, warehouse).stream()


def dbt_build(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource) -> DbtCliInvocation:
    """`dbt build` of the step's selection, with the same vars and target folder for both steps.

    dbt parses the whole project again unless its last parse, kept in the target folder, saw the same vars and the
    same profile, which holds the warehouse's path; a new target folder per invocation (dagster-dbt's default) would
    parse everything at every step, so the warehouse keeps its own (docs/benchmarks.md)."""
    warehouse.export_for_dbt()
    settings = warehouse.settings()
    return dbt.cli(
        ["build", "--vars", json.dumps(dbt_vars(warehouse))], context=context, target_path=settings.dbt_target_dir
    )


def dbt_vars(warehouse: WarehouseResource) -> dict[str, int]:
    """dbt vars taken from the settings: the suppression threshold of the public tier and of the steering signals'
    no_data (WAREHOUSE_SUPPRESSION_THRESHOLD)."""
    return {"suppression_threshold": warehouse.settings().suppression_threshold}

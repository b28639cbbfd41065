"""The publication tiers served from PostgreSQL to BI tools (docs/bi.md), after every publish.

Active only when SERVING_POSTGRES_DSN is set (checked with the other settings when a run starts); without it the
step materializes nothing and the DuckDB default works as before.
"""

from collections.abc import Iterator

import dagster as dg

from orchestration.defs.dbt.project import warehouse_dbt_project
from orchestration.defs.owners import DATA_ENGINEERING
from orchestration.defs.resources import WRITER_POOL, WarehouseResource
from orchestration.serving.load import ServingLoadError, publish_tiers

STEP = "served/postgres"


@dg.asset(
    key=dg.AssetKey(["served", "postgres"]),
    deps=[dg.AssetKey(["published", "marts"])],
    group_name="publish",
    owners=[DATA_ENGINEERING],
    # Reads the warehouse file, which no other process may hold for writing meanwhile.
    pool=WRITER_POOL,
    kinds={"postgres"},
    output_required=False,
    description=(
        "The publication tiers (public_marts, analyst, audit) in the PostgreSQL serving database, replaced in one "
        "transaction with roles, grants and row-level security; nothing when SERVING_POSTGRES_DSN is unset."
    ),
)
def served_postgres(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> Iterator[dg.MaterializeResult]:
    settings = warehouse.settings()
    if settings.serving_dsn is None:
        context.log.info("SERVING_POSTGRES_DSN is not set: the tiers are not served from PostgreSQL (docs/bi.md)")
        return
    try:
        tables = publish_tiers(
            settings.duckdb_path,
            settings.serving_dsn,
            manifest_path=warehouse_dbt_project.manifest_path,
            provider_region_rows=settings.serving_provider_region_rows == "shown",
        )
    except ServingLoadError as error:
        raise dg.Failure(description=f"{STEP}: {error}") from None
    yield dg.MaterializeResult(
        metadata={
            "tables": len(tables),
            "rows": sum(table.rows for table in tables),
            "schemas": ", ".join(sorted({table.schema for table in tables})),
        }
    )

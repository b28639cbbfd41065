"""What the ingest assets of the file sources (CBS snapshots, budgets, the iJw inventory) share: their asset
settings, and one factory for the assets that load a listing of landed files (CBS, Iv3, the region's budget), with the
ledger's figures as the materialization's metadata. A new file source is a reader, a listing and a call of it."""

import time
from collections.abc import Callable
from pathlib import Path

import dagster as dg

from orchestration.defs.ingest.ingest_metadata import audit_materializations, ingest_metadata
from orchestration.defs.owners import DATA_ENGINEERING
from orchestration.defs.resources import WRITER_POOL, CbsResource, WarehouseResource
from orchestration.warehouse.landing_files import Listing
from orchestration.warehouse.load import RawSource, ingest_listing, ledger_metadata

# Every ingest asset writes DuckDB, so it takes the writer pool's one slot.
INGEST_ASSET = {
    "group_name": "ingest",
    "owners": [DATA_ENGINEERING],
    "pool": WRITER_POOL,
    "kinds": {"python", "duckdb"},
}


def load_listing(
    context: dg.AssetExecutionContext,
    warehouse: WarehouseResource,
    listing: Listing,
    source: RawSource,
    started: float,
    absent: str,
) -> dg.MaterializeResult:
    """Each listed file loaded into source.table (or quarantined, or recorded as a duplicate), one ledger row per file;
    started is when the asset began, so the duration covers the listing too. absent is the warning when no file is
    listed."""
    if not listing.files:
        context.log.warning(absent)
    with warehouse.connect() as con:
        entries = ingest_listing(
            con,
            listing,
            source,
            context.run_id,
            warehouse.settings().landing_dir,
            context.log.warning,
        )
        message_types = sorted({entry.message_type for entry in entries if entry.message_type})
        for appended in audit_materializations(con, context.run_id, message_types, context.asset_key):
            context.log_event(appended)
        return dg.MaterializeResult(
            metadata=ingest_metadata(
                con, source.table, context.run_id, message_types, ledger_metadata(entries, time.monotonic() - started)
            )
        )


Pull = Callable[[dg.AssetExecutionContext, CbsResource, Path], None]
"""Fetches a source's files into the landing directory before they are listed (CBS online): (context, cbs, landing)."""


def landed_source_asset(
    key: dg.AssetKey,
    description: str,
    source: RawSource,
    listing: Callable[[Path], Listing],
    absent: Callable[[Path], str],
    pull: Pull | None = None,
) -> dg.AssetsDefinition:
    """The ingest asset of a file source: listing(landing directory) loaded into source.table (load_listing), and
    absent(landing directory) the warning when it lists nothing. Given pull, the asset takes the CBS resource and pulls
    first; the duration covers the pull and the listing."""

    def load(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource, cbs: CbsResource | None
    ) -> dg.MaterializeResult:
        landing, started = warehouse.settings().landing_dir, time.monotonic()
        if pull is not None and cbs is not None:
            pull(context, cbs, landing)
        return load_listing(context, warehouse, listing(landing), source, started, absent(landing))

    if pull is None:

        @dg.asset(key=key, **INGEST_ASSET, description=description)
        def _landed(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
            return load(context, warehouse, None)

        return _landed

    @dg.asset(key=key, **INGEST_ASSET, description=description)
    def _pulled(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource, cbs: CbsResource
    ) -> dg.MaterializeResult:
        return load(context, warehouse, cbs)

    return _pulled

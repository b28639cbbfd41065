"""What the ingest assets of the file sources (CBS snapshots, budgets, the iJw inventory) share: their asset
settings, and loading a listing of landed files with the ledger's figures as the materialization's metadata."""

import time

import dagster as dg

from orchestration.defs.ingest.ingest_metadata import audit_materializations, ingest_metadata
from orchestration.defs.owners import DATA_ENGINEERING
from orchestration.defs.resources import WRITER_POOL, WarehouseResource
from orchestration.warehouse.ingest import ledger_metadata
from orchestration.warehouse.landing_files import Listing
from orchestration.warehouse.load import RawSource, ingest_listing

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

"""Ingest of iJw 3.2 messages from WAREHOUSE_LANDING_DIR/ijw/**.xml: the landing inventory, then one asset per
message type and raw table (orchestration/warehouse/ijw_messages.py says how each type loads).

The five raw tables are one step, made by the ingest factory (landed_source.ingest_assets) from a declaration per
table and one load function: a large landing is loaded in lanes, one process per core
(orchestration/warehouse/ingest_lanes.py), a small one in this process, where lanes would cost more than they save.
"""

import time

import dagster as dg

from orchestration.defs.ingest.ingest_metadata import column_schema
from orchestration.defs.ingest.landed_source import INGEST_ASSET, IngestAsset, Loaded, ingest_assets
from orchestration.defs.resources import CbsResource, WarehouseResource
from orchestration.ijw.pseudonym import load_or_create_key
from orchestration.settings import Settings
from orchestration.warehouse import landing_inventory
from orchestration.warehouse.ijw_messages import (
    BY_MESSAGE_TYPE,
    IJW_INGESTS,
    JUDGED_AGAINST,
    UNRECOGNISED_OWNER,
    IjwIngest,
)
from orchestration.warehouse.ingest_lanes import (
    LANES_FROM_FILES,
    IngestOutcome,
    LaneSettings,
    ingest_in_lanes,
    lane_parts,
)
from orchestration.warehouse.load import record_odd_entries
from orchestration.warehouse.progress import Progress


@dg.asset(
    key=dg.AssetKey(["audit", "ijw_landed_files"]),
    **INGEST_ASSET,
    description=(
        "The landing inventory: each landed iJw file with its message type, sniffed once per file version; entries "
        "that are no regular file inside the landing directory are recorded in the ledger with their reason."
    ),
)
def ijw_landed_files(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    settings = warehouse.settings()
    started = time.monotonic()
    with warehouse.connect() as con:
        update = landing_inventory.update_inventory(
            con, settings.landing_dir, settings.ingest_processes, context.log.info
        )
        recorded = record_odd_entries(con, update.odd_entries, UNRECOGNISED_OWNER.source, context.run.run_id)
        columns = column_schema(con, "audit.landed_files")
    if update.folder_problem:
        context.log.warning(f"iJw messages not listed: {update.folder_problem}")
    for entry, row in zip(update.odd_entries, recorded, strict=True):
        context.log.warning(f"{entry.path}: {entry.reason_code}, {entry.reason} (ledger: {row.status})")
    if update.files == 0:
        context.log.warning(f"No iJw messages in {settings.landing_dir / 'ijw'}.")
    # Other iJw 3.2 messages (JW302, JW306, ...) carry nothing the marts use; unrecognisable files are claimed and
    # quarantined by the declaration asset.
    not_ingested = {
        kind: count for kind, count in update.by_type.items() if kind not in BY_MESSAGE_TYPE and kind != "unrecognised"
    }
    if not_ingested:
        context.log.warning(
            "iJw messages of types the warehouse does not ingest, listed in audit.landed_files and not loaded "
            "(files per type): " + ", ".join(f"{kind} {count:,}" for kind, count in sorted(not_ingested.items()))
        )
    return dg.MaterializeResult(
        metadata={
            "files": update.files,
            "files_sniffed": update.sniffed,
            "files_removed": update.removed,
            "files_to_read": update.to_read,
            "entries_odd": len(update.odd_entries),
            **{f"files_{message_type}": count for message_type, count in update.by_type.items()},
            "dagster/row_count": update.files,
            "dagster/column_schema": columns,
            "duration_seconds": round(time.monotonic() - started, 2),
        }
    )


def _asset(ingest: IjwIngest) -> IngestAsset:
    # Allocations landed in the same run load before starts, and starts before stops, so each is judged against
    # every allocation or start delivered so far.
    judged_against = JUDGED_AGAINST.get(ingest.spec.message_type)
    return IngestAsset(
        dg.AssetKey(ingest.table.split(".")),
        ingest.description,
        ingest.table,
        (ijw_landed_files.key, *([dg.AssetKey(judged_against.table.split("."))] if judged_against else [])),
    )


def _load(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, _cbs: CbsResource | None, assets: list[IngestAsset]
) -> list[Loaded]:
    """The selected message types' inventoried files loaded: in lanes when the landing is large, else here."""
    settings = warehouse.settings()
    selected = [ingest for ingest in IJW_INGESTS if ingest.table in {asset.table for asset in assets}]
    with warehouse.connect() as con:
        landed = landing_inventory.files_by_type(con, settings.landing_dir)
        to_read = sum(
            landed.get(kind or "unrecognised", (0, 0))[1] for ingest in selected for kind in ingest.claimed_types
        )
        # Nothing to read (a re-run with nothing new) starts no lane.
        in_lanes = settings.ingest_processes > 1 and to_read > 0 and to_read >= LANES_FROM_FILES
        parts = lane_parts(con, selected, settings.landing_dir, settings.ingest_processes if in_lanes else 1)
    lane_settings = _lane_settings(settings, context.run.run_id)
    progress = Progress("iJw files read", to_read, context.log.info)
    for ingest in selected:
        if not any(landed.get(kind or "unrecognised") for kind in ingest.claimed_types):
            context.log.warning(f"No {ingest.spec.message_type} messages in {settings.landing_dir / 'ijw'}: absent.")
    if in_lanes:
        context.log.info(
            f"Loading in up to {settings.ingest_processes} lanes: "
            + ", ".join(
                f"{part.message_type} {len(part.paths):,} files ({part.landed_bytes:,} bytes)" for part in parts
            )
        )
    outcomes = ingest_in_lanes(
        parts,
        lane_settings,
        settings.ingest_processes if in_lanes else 1,
        warehouse.connect,
        on_lane_done=lambda lane: context.log.info(_lane_done(lane)),
        on_progress=progress.set,
    )
    by_type = {outcome.message_type: outcome for outcome in outcomes}
    loaded = []
    for ingest in selected:
        outcome = by_type[ingest.spec.message_type]
        for message in outcome.rejected_files:
            context.log.warning(message)
        loaded.append(Loaded(outcome.metadata, [ingest.spec.message_type]))
    return loaded


ijw_messages = ingest_assets("ijw_messages", [_asset(ingest) for ingest in IJW_INGESTS], _load)


def _lane_done(lane: list[IngestOutcome]) -> str:
    loaded = "; ".join(
        f"{outcome.message_type} {outcome.metadata['files_loaded']:,} files loaded in "
        f"{outcome.metadata['duration_seconds']:.0f} s"
        for outcome in lane
    )
    return f"Lane done: {loaded}. The warehouse takes every lane's rows when all are done."


def _lane_settings(settings: Settings, run_id: str) -> LaneSettings:
    return LaneSettings(
        warehouse_path=settings.duckdb_path,
        pseudonym_key=load_or_create_key(settings.pseudonym_key, settings.warehouse_dir),
        run_id=run_id,
        xsd_dir=settings.ijw_xsd_dir,
        memory_limit=settings.duckdb_memory_limit,
        landing_dir=settings.landing_dir,
    )

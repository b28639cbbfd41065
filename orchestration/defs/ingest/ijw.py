"""Ingest of iJw 3.2 messages from WAREHOUSE_LANDING_DIR/ijw/**.xml: the landing inventory, then one asset per
message type and raw table (orchestration/warehouse/ijw_messages.py says how each type loads).

The inventory and the five raw tables are one step, each an asset of its own (landed_source.py): the inventory is
what the tables read, and one step lists the landing, reads each new file once (orchestration/warehouse/read_pass.py)
and opens the warehouse once. A large landing is read in processes and loaded in lanes, one process per core
(orchestration/warehouse/ingest_lanes.py), a small one on the step's own connection, where processes would cost more
than they save.
"""

import contextlib
import functools
import shutil
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import duckdb

from orchestration.defs.ingest.ingest_metadata import column_schemas
from orchestration.defs.ingest.landed_source import IngestAsset, Loaded, ingest_results
from orchestration.defs.resources import WRITER_POOL, WarehouseResource
from orchestration.ijw.pseudonym import Pseudonymiser, load_or_create_key
from orchestration.ijw.xsd import message_schema
from orchestration.settings import Settings
from orchestration.warehouse import landing_inventory
from orchestration.warehouse.ijw_messages import (
    BY_MESSAGE_TYPE,
    IJW_INGESTS,
    JUDGED_AGAINST,
    UNRECOGNISED_OWNER,
    IjwIngest,
    reading_spec,
)
from orchestration.warehouse.ingest_lanes import (
    LANES_FROM_FILES,
    IngestOutcome,
    LanePart,
    LaneSettings,
    ingest_in_lanes,
    lane_parts,
)
from orchestration.warehouse.load import record_odd_entries
from orchestration.warehouse.progress import Progress
from orchestration.warehouse.read_pass import ReadSettings, no_schema

INVENTORY_KEY = dg.AssetKey(["audit", "ijw_landed_files"])

INVENTORY = IngestAsset(
    INVENTORY_KEY,
    "The landing inventory: each landed iJw file with its message type and sender, read once per file version; entries "
    "that are no regular file inside the landing directory are recorded in the ledger with their reason.",
    "audit.landed_files",
)


def _asset(ingest: IjwIngest) -> IngestAsset:
    # Allocations landed in the same run load before starts, and starts before stops, so each is judged against
    # every allocation or start delivered so far.
    judged_against = JUDGED_AGAINST.get(ingest.spec.message_type)
    return IngestAsset(
        dg.AssetKey(ingest.table.split(".")),
        ingest.description,
        ingest.table,
        (INVENTORY_KEY, *([dg.AssetKey(judged_against.table.split("."))] if judged_against else [])),
    )


ASSETS = {ingest.spec.message_type: _asset(ingest) for ingest in IJW_INGESTS}


@dg.multi_asset(
    name="ijw_messages",
    specs=[INVENTORY.spec(), *(asset.spec() for asset in ASSETS.values())],
    can_subset=True,
    pool=WRITER_POOL,
)
def ijw_messages(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> Iterator[dg.AssetMaterialization | dg.MaterializeResult]:
    """The inventory brought up to date when selected, the files not read yet read once (read_pass.py), then the
    selected message types' files loaded from what was read: in lanes when the landing is large, else on the step's
    one connection (a re-run with nothing new opens no other)."""
    settings = warehouse.settings()
    selected = [ingest for ingest in IJW_INGESTS if ASSETS[ingest.spec.message_type].key in context.selected_asset_keys]
    with _read_stage(settings, context.run.run_id) as stage_dir:
        lane_settings = _lane_settings(settings, context.run.run_id, stage_dir)
        with warehouse.connect() as con:
            started = time.monotonic()
            update = None
            if INVENTORY_KEY in context.selected_asset_keys:
                update = landing_inventory.update_inventory(con, settings.landing_dir)
            read_settings = ReadSettings(
                settings.landing_dir,
                stage_dir,
                Pseudonymiser(lane_settings.pseudonym_key),
                reading_spec,
                functools.partial(message_schema, settings.ijw_xsd_dir) if settings.ijw_xsd_dir else no_schema,
            )
            claimed = tuple(kind for ingest in selected for kind in ingest.claimed_types)
            read = landing_inventory.read_unread(
                con, read_settings, claimed, settings.ingest_processes, context.log.info
            )
            if update is not None:
                yield _inventory(context, con, settings, update, read, time.monotonic() - started)
            if not selected:
                return
            plan = _plan(context, con, settings, selected)
            if not plan.in_lanes:
                outcomes = ingest_in_lanes(
                    plan.parts, lane_settings, 1, lambda: contextlib.nullcontext(con), on_progress=plan.progress.set
                )
                yield from ingest_results(con, context.run.run_id, _loads(context, selected, outcomes))
                return
        # Lanes open the warehouse themselves, which DuckDB allows only while no process holds it for writing.
        outcomes = _load_in_lanes(context, warehouse, plan, lane_settings)
    with warehouse.connect(read_only=True) as con:
        yield from ingest_results(con, context.run.run_id, _loads(context, selected, outcomes))


@contextlib.contextmanager
def _read_stage(settings: Settings, run_id: str) -> Iterator[Path]:
    """The read pass's stage for this step (read_pass.py): a directory of the warehouse's, gone when the step ends.
    One step writes the warehouse at a time (WRITER_POOL), so a stage left by a killed run is removed too."""
    staging = settings.duckdb_path.parent / "staging"
    for left in staging.glob("read-*"):
        shutil.rmtree(left, ignore_errors=True)
    stage_dir = staging / f"read-{run_id}"
    try:
        yield stage_dir
    finally:
        shutil.rmtree(stage_dir, ignore_errors=True)


@dataclass(frozen=True)
class _Plan:
    """What the selected message types load: their parts, whether in lanes, and the progress line of their files."""

    parts: list[LanePart]
    in_lanes: bool
    progress: Progress


def _plan(
    context: dg.AssetExecutionContext, con: duckdb.DuckDBPyConnection, settings: Settings, selected: list[IjwIngest]
) -> _Plan:
    landed = landing_inventory.files_by_type(con, settings.landing_dir)
    for ingest in selected:
        if not any(landed.get(kind or "unrecognised") for kind in ingest.claimed_types):
            context.log.warning(f"No {ingest.spec.message_type} messages in {settings.landing_dir / 'ijw'}: absent.")
    to_read = sum(landed.get(kind or "unrecognised", (0, 0))[1] for ingest in selected for kind in ingest.claimed_types)
    # Nothing to read (a re-run with nothing new) starts no lane.
    in_lanes = settings.ingest_processes > 1 and to_read > 0 and to_read >= LANES_FROM_FILES
    parts = lane_parts(con, selected, settings.landing_dir, settings.ingest_processes if in_lanes else 1)
    return _Plan(parts, in_lanes, Progress("iJw files loaded", to_read, context.log.info))


def _load_in_lanes(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, plan: _Plan, lane_settings: LaneSettings
) -> list[IngestOutcome]:
    processes = warehouse.settings().ingest_processes
    files, landed = Counter[str](), Counter[str]()  # a message type may come as a part per sender
    for part in plan.parts:
        files[part.message_type] += len(part.paths)
        landed[part.message_type] += part.landed_bytes
    context.log.info(
        f"Loading in up to {processes} lanes: "
        + ", ".join(f"{kind} {files[kind]:,} files ({landed[kind]:,} bytes)" for kind in files)
    )
    return ingest_in_lanes(
        plan.parts,
        lane_settings,
        processes,
        warehouse.connect,
        on_lane_done=lambda lane: context.log.info(_lane_done(lane)),
        on_progress=plan.progress.set,
    )


def _loads(
    context: dg.AssetExecutionContext, selected: list[IjwIngest], outcomes: list[IngestOutcome]
) -> list[tuple[IngestAsset, Loaded]]:
    """Each selected message type's asset with what its load reports; its rejected files logged."""
    by_type = {outcome.message_type: outcome for outcome in outcomes}
    loads = []
    for ingest in selected:
        outcome = by_type[ingest.spec.message_type]
        for message in outcome.rejected_files:
            context.log.warning(message)
        loads.append((ASSETS[ingest.spec.message_type], Loaded(outcome.metadata, [ingest.spec.message_type])))
    return loads


def _inventory(
    context: dg.AssetExecutionContext,
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    update: landing_inventory.InventoryUpdate,
    read: int,
    seconds: float,
) -> dg.MaterializeResult:
    """The landing inventory brought in line with landing/ijw and its new files' types read, its odd entries recorded
    in the ledger."""
    odd = record_odd_entries(con, update.odd_entries, UNRECOGNISED_OWNER.source, context.run.run_id)
    if update.folder_problem:
        context.log.warning(f"iJw messages not listed: {update.folder_problem}")
    for entry, recorded in zip(update.odd_entries, odd, strict=True):
        context.log.warning(f"{entry.path}: {entry.reason_code}, {entry.reason} (ledger: {recorded.status})")
    if update.files == 0:
        context.log.warning(f"No iJw messages in {settings.landing_dir / 'ijw'}.")
    counts = landing_inventory.files_by_type(con, settings.landing_dir)
    by_type = {message_type: files for message_type, (files, _unread) in counts.items()}
    # Other iJw 3.2 messages (JW302, JW306, ...) carry nothing the marts use; unrecognisable files are claimed and
    # quarantined by the declaration asset.
    not_ingested = {
        kind: count for kind, count in by_type.items() if kind not in BY_MESSAGE_TYPE and kind != "unrecognised"
    }
    if not_ingested:
        context.log.warning(
            "iJw messages of types the warehouse does not ingest, listed in audit.landed_files and not loaded "
            "(files per type): " + ", ".join(f"{kind} {count:,}" for kind, count in sorted(not_ingested.items()))
        )
    return dg.MaterializeResult(
        asset_key=INVENTORY_KEY,
        metadata={
            "files": update.files,
            "files_listed": update.listed,
            "files_read": read,
            "files_removed": update.removed,
            "files_to_read": sum(unread for _files, unread in counts.values()),
            "entries_odd": len(update.odd_entries),
            **{f"files_{message_type}": count for message_type, count in by_type.items()},
            "dagster/row_count": update.files,
            "dagster/column_schema": column_schemas(con, [INVENTORY.table])[INVENTORY.table],
            "duration_seconds": round(seconds, 2),
        },
    )


def _lane_done(lane: list[IngestOutcome]) -> str:
    loaded = "; ".join(
        f"{outcome.message_type} {outcome.metadata['files_loaded']:,} files loaded in "
        f"{outcome.metadata['duration_seconds']:.0f} s"
        for outcome in lane
    )
    return f"Lane done: {loaded}. The warehouse takes every lane's rows when all are done."


def _lane_settings(settings: Settings, run_id: str, stage_dir: Path) -> LaneSettings:
    return LaneSettings(
        warehouse_path=settings.duckdb_path,
        pseudonym_key=load_or_create_key(settings.pseudonym_key, settings.warehouse_dir),
        run_id=run_id,
        memory_limit=settings.duckdb_memory_limit,
        landing_dir=settings.landing_dir,
        stage_dir=stage_dir,
    )

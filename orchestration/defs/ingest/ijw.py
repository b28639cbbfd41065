"""Ingest of iJw 3.2 messages from WAREHOUSE_LANDING_DIR/ijw/**.xml: one asset per message type and raw table.

Each asset reads the files of its message type (recognised by the root element's namespace) in path order, so that a
credit or a withdrawal is read after what it refers to, and loads them in batches (orchestration/warehouse/
ijw_ingest.py): each file with its ledger row and quarantine rows, never part of a file. Files that are no
recognisable iJw message are claimed by the declaration asset, so that each is quarantined exactly once.
"""

import time
from pathlib import Path

import dagster as dg

from orchestration.defs.resources import WRITER_POOL, WarehouseResource
from orchestration.ijw import allocations, care_events, jw323, referral_requests
from orchestration.ijw.pseudonym import Pseudonymiser, load_or_create_key
from orchestration.ijw.reader import MessageSpec
from orchestration.ijw.safe_xml import sniff_message_type
from orchestration.ijw.xsd import message_schema
from orchestration.warehouse.declaration_history import apply_declaration_history
from orchestration.warehouse.ijw_ingest import HistoryRule, ingest_message_files, no_history
from orchestration.warehouse.ingest import LedgerEntry


def landed_ijw_files(landing_dir: Path) -> list[Path]:
    return sorted((landing_dir / "ijw").rglob("*.xml"))


def build_ijw_ingest_asset(
    spec: MessageSpec,
    table: str,
    description: str,
    claims_unrecognised: bool = False,
    apply_history: HistoryRule = no_history,
) -> dg.AssetsDefinition:
    schema, name = table.split(".")
    claimed_types = {spec.message_type, None} if claims_unrecognised else {spec.message_type}

    @dg.asset(
        key=dg.AssetKey([schema, name]),
        group_name="ingest",
        pool=WRITER_POOL,
        kinds={"python", "duckdb"},
        description=description,
    )
    def _ingest(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
        settings = warehouse.settings()
        started = time.monotonic()
        files = [path for path in landed_ijw_files(settings.landing_dir) if sniff_message_type(path) in claimed_types]
        if not files:
            context.log.warning(f"No {spec.message_type} messages in {settings.landing_dir / 'ijw'}: source absent.")
        pseudonymiser = Pseudonymiser(load_or_create_key(settings.pseudonym_key, settings.warehouse_dir))
        with warehouse.connect() as con:
            entries = ingest_message_files(
                con,
                files,
                spec,
                table,
                pseudonymiser,
                context.run.run_id,
                apply_history,
                on_rejected_file=lambda parsed: context.log.warning(
                    f"{parsed.path}: file rejected ({parsed.file_rejection}); see audit.quarantine"
                ),
                schema=message_schema(settings.ijw_xsd_dir, spec.message_type) if settings.ijw_xsd_dir else None,
            )
        return dg.MaterializeResult(metadata=_summary(entries, time.monotonic() - started))

    return _ingest


def _summary(entries: list[LedgerEntry], seconds: float) -> dict[str, int | float]:
    def total(field: str) -> int:
        return sum(getattr(entry, field) for entry in entries)

    return {
        "files_loaded": sum(entry.status == "loaded" for entry in entries),
        "files_rejected": sum(entry.status == "rejected" for entry in entries),
        "files_duplicate": sum(entry.status == "duplicate" for entry in entries),
        "records_accepted": total("records_accepted"),
        "records_quarantined": total("records_quarantined"),
        "cents_accepted": total("amount_cents_accepted"),
        "cents_quarantined": total("amount_cents_quarantined"),
        "duration_seconds": round(seconds, 2),
    }


ijw_declaration_lines = build_ijw_ingest_asset(
    jw323.SPEC,
    "raw.ijw_declaration_lines",
    "JW323 declaratie lines (Prestatie), with TR346, TR358, CS337, CS340, CS100, TR389 and CD060 enforced at the door.",
    claims_unrecognised=True,
    apply_history=apply_declaration_history,
)
ijw_allocations = build_ijw_ingest_asset(
    allocations.SPEC, "raw.ijw_allocations", "JW301 toewijzingen (ToegewezenProduct), one row per allocated product."
)
ijw_start_events = build_ijw_ingest_asset(
    care_events.START_SPEC, "raw.ijw_start_events", "JW305 start zorg (StartProduct), withdrawals included."
)
ijw_stop_events = build_ijw_ingest_asset(
    care_events.STOP_SPEC, "raw.ijw_stop_events", "JW307 stop zorg (StopProduct), withdrawals included."
)
ijw_referral_requests = build_ijw_ingest_asset(
    referral_requests.SPEC,
    "raw.ijw_referral_requests",
    "JW315 verzoeken om toewijzing (AangevraagdProduct) with the referrer (Verwijzer, COD327).",
)

"""Ingest of iJw 3.2 messages from WAREHOUSE_LANDING_DIR/ijw/**.xml into raw.* with ledger and quarantine."""

import time
from pathlib import Path

import dagster as dg

from orchestration.defs.resources import WRITER_POOL, WarehouseResource
from orchestration.ijw.jw323 import read_declaration_file
from orchestration.ijw.pseudonym import Pseudonymiser, load_or_create_key
from orchestration.ijw.safe_xml import sniff_message_type
from orchestration.warehouse.ingest import (
    LedgerEntry,
    already_ingested,
    file_sha256,
    load_declaration_file,
    record_duplicate,
)

DECLARATION_LINES = dg.AssetKey(["raw", "ijw_declaration_lines"])


def landed_ijw_files(landing_dir: Path) -> list[Path]:
    return sorted((landing_dir / "ijw").rglob("*.xml"))


@dg.asset(
    key=DECLARATION_LINES,
    group_name="ingest",
    pool=WRITER_POOL,
    kinds={"python", "duckdb"},
    description=(
        "JW323 declaration lines from WAREHOUSE_LANDING_DIR/ijw/**.xml: stream-parsed, BSN pseudonymised, every line "
        "accepted into raw.ijw_declaration_lines or quarantined in audit.quarantine, one ledger row per file."
    ),
)
def ijw_declaration_lines(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    settings = warehouse.settings()
    started = time.monotonic()
    files = landed_ijw_files(settings.landing_dir)
    if not files:
        context.log.warning(f"No iJw messages in {settings.landing_dir / 'ijw'}: the declaration source is absent.")
    pseudonymiser = Pseudonymiser(load_or_create_key(settings.pseudonym_key, settings.warehouse_dir))
    entries: list[LedgerEntry] = []
    with warehouse.connect() as con:
        for path in files:
            message_type = sniff_message_type(path)
            # Messages of other types belong to their own ingest assets; an unrecognisable file is claimed here so
            # that it is quarantined exactly once.
            if message_type not in ("JW323", None):
                context.log.info(f"{path}: {message_type} is not ingested by this asset")
                continue
            sha256 = file_sha256(path)
            if already_ingested(con, sha256):
                entries.append(record_duplicate(con, path, sha256, message_type, context.run_id))
                continue
            entry = load_declaration_file(con, read_declaration_file(path, pseudonymiser), sha256, context.run_id)
            if entry.status == "rejected":
                context.log.warning(f"{path}: file rejected, see audit.quarantine (sha256 {sha256[:12]})")
            entries.append(entry)
    return dg.MaterializeResult(metadata=_summary(entries, time.monotonic() - started))


def _summary(entries: list[LedgerEntry], seconds: float) -> dict[str, int | float]:
    def total(field: str) -> int:
        return sum(getattr(entry, field) for entry in entries)

    return {
        "files_loaded": sum(entry.status == "loaded" for entry in entries),
        "files_rejected": sum(entry.status == "rejected" for entry in entries),
        "files_duplicate": sum(entry.status == "duplicate" for entry in entries),
        "lines_accepted": total("records_accepted"),
        "lines_quarantined": total("records_quarantined"),
        "cents_accepted": total("amount_cents_accepted"),
        "cents_quarantined": total("amount_cents_quarantined"),
        "dagster/row_count": total("records_accepted"),
        "duration_seconds": round(seconds, 2),
    }

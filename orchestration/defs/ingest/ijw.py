"""Ingest of iJw 3.2 messages from WAREHOUSE_LANDING_DIR/ijw/**.xml: one asset per message type and raw table.

Each asset reads the files of its message type (recognised by the root element's namespace), in path order so that
a credit or a withdrawal is read after what it refers to, and loads each file in one transaction with its ledger row
and quarantine rows. Files that are no recognisable iJw message are claimed by the declaration asset, so that each is
quarantined exactly once.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import duckdb

from orchestration.defs.resources import WRITER_POOL, WarehouseResource
from orchestration.ijw import allocations, care_events, jw323, referral_requests
from orchestration.ijw.pseudonym import Pseudonymiser, load_or_create_key
from orchestration.ijw.reader import MessageSpec, ParsedFile, read_message_file
from orchestration.ijw.safe_xml import sniff_message_type
from orchestration.warehouse.care_event_history import apply_start_history, apply_stop_history
from orchestration.warehouse.declaration_history import apply_declaration_history
from orchestration.warehouse.ingest import (
    LedgerEntry,
    already_ingested,
    file_sha256,
    load_parsed_file,
    record_duplicate,
)


def landed_ijw_files(landing_dir: Path) -> list[Path]:
    return sorted((landing_dir / "ijw").rglob("*.xml"))


def _no_history(_con: duckdb.DuckDBPyConnection, _parsed: ParsedFile) -> None:
    """Message types without cross-file rules at the door."""


@dataclass(frozen=True)
class IjwIngest:
    """How one message type lands: its spec, raw table and the cross-file rules applied against the warehouse."""

    spec: MessageSpec
    table: str
    description: str
    claims_unrecognised: bool = False
    apply_history: Callable[[duckdb.DuckDBPyConnection, ParsedFile], None] = _no_history

    def claims(self, path: Path) -> bool:
        return sniff_message_type(path) in (
            {self.spec.message_type, None} if self.claims_unrecognised else {self.spec.message_type}
        )

    def ingest_file(
        self, con: duckdb.DuckDBPyConnection, path: Path, pseudonymiser: Pseudonymiser, run_id: str
    ) -> LedgerEntry:
        """Load one landed file in one transaction, or record it as a duplicate of content already ingested."""
        sha256 = file_sha256(path)
        if already_ingested(con, sha256):
            return record_duplicate(con, path, sha256, self.spec.message_type, run_id)
        parsed = read_message_file(path, self.spec, pseudonymiser)
        self.apply_history(con, parsed)
        return load_parsed_file(con, parsed, sha256, run_id, self.table)


def ingest_landing(
    con: duckdb.DuckDBPyConnection, ingest: IjwIngest, landing_dir: Path, pseudonymiser: Pseudonymiser, run_id: str
) -> list[LedgerEntry]:
    return [
        ingest.ingest_file(con, path, pseudonymiser, run_id)
        for path in landed_ijw_files(landing_dir)
        if ingest.claims(path)
    ]


def build_ijw_ingest_asset(ingest: IjwIngest, deps: tuple[dg.AssetKey, ...] = ()) -> dg.AssetsDefinition:
    schema, name = ingest.table.split(".")

    @dg.asset(
        key=dg.AssetKey([schema, name]),
        group_name="ingest",
        pool=WRITER_POOL,
        kinds={"python", "duckdb"},
        description=ingest.description,
        deps=list(deps),
    )
    def _ingest(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
        settings = warehouse.settings()
        started = time.monotonic()
        files = [path for path in landed_ijw_files(settings.landing_dir) if ingest.claims(path)]
        if not files:
            context.log.warning(f"No {ingest.spec.message_type} messages in {settings.landing_dir / 'ijw'}: absent.")
        pseudonymiser = Pseudonymiser(load_or_create_key(settings.pseudonym_key, settings.warehouse_dir))
        entries: list[LedgerEntry] = []
        with warehouse.connect() as con:
            for path in files:
                entry = ingest.ingest_file(con, path, pseudonymiser, context.run.run_id)
                if entry.status == "rejected":
                    context.log.warning(f"{path}: file rejected; see audit.quarantine (sha256 {entry.file_sha256})")
                entries.append(entry)
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


DECLARATIONS = IjwIngest(
    jw323.SPEC,
    "raw.ijw_declaration_lines",
    "JW323 declaratie lines (Prestatie), with TR346, TR358, CS337, CS340, CS100, TR389 and CD060 enforced at the door.",
    claims_unrecognised=True,
    apply_history=apply_declaration_history,
)
ALLOCATIONS = IjwIngest(
    allocations.SPEC, "raw.ijw_allocations", "JW301 toewijzingen (ToegewezenProduct), one row per allocated product."
)
STARTS = IjwIngest(
    care_events.START_SPEC,
    "raw.ijw_start_events",
    "JW305 start zorg (StartProduct), withdrawals included; a withdrawal of a start never sent is quarantined.",
    apply_history=apply_start_history,
)
STOPS = IjwIngest(
    care_events.STOP_SPEC,
    "raw.ijw_stop_events",
    "JW307 stop zorg (StopProduct), withdrawals included; a stop without an accepted start is quarantined.",
    apply_history=apply_stop_history,
)
REFERRALS = IjwIngest(
    referral_requests.SPEC,
    "raw.ijw_referral_requests",
    "JW315 verzoeken om toewijzing (AangevraagdProduct) with the referrer (Verwijzer, COD327).",
)
IJW_INGESTS = (REFERRALS, ALLOCATIONS, STARTS, STOPS, DECLARATIONS)
"""In the order the assets run: a stop is judged against the starts, so starts come first."""

ijw_declaration_lines = build_ijw_ingest_asset(DECLARATIONS)
ijw_allocations = build_ijw_ingest_asset(ALLOCATIONS)
ijw_start_events = build_ijw_ingest_asset(STARTS)
# Starts landed in the same run load first, so a stop is judged against every start delivered so far.
ijw_stop_events = build_ijw_ingest_asset(STOPS, deps=(ijw_start_events.key,))
ijw_referral_requests = build_ijw_ingest_asset(REFERRALS)

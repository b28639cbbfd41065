"""The five iJw message types as the ingest loads them: each one's spec, raw table and cross-file rules.

Each message type reads its files from the landing inventory (audit.landed_files) in path order, so that a credit
or a withdrawal is read after what it refers to, and loads them in batches (orchestration/warehouse/load.py):
each file with its ledger row and quarantine rows, never part of a file. Files that are no recognisable iJw message
are claimed by the declarations, so that each is quarantined exactly once.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
from lxml import etree

from orchestration.ijw import allocations, care_events, jw323, referral_requests
from orchestration.ijw.pseudonym import Pseudonymiser
from orchestration.ijw.reader import MessageSpec
from orchestration.ijw.safe_xml import MAX_FILE_BYTES
from orchestration.ijw.xsd import message_schema
from orchestration.warehouse import landing_inventory
from orchestration.warehouse.history_rules import (
    apply_allocation_history,
    apply_declaration_history,
    apply_start_history,
    apply_stop_history,
)
from orchestration.warehouse.landing_files import OddEntry
from orchestration.warehouse.load import (
    BATCH_FILES,
    HistoryRule,
    LedgerEntry,
    ParsedFile,
    RawSource,
    ingest_files,
    ledger_metadata,
    record_odd_entry,
)
from orchestration.warehouse.record_rules import read_record_batch


@dataclass(frozen=True)
class IjwIngest:
    """How one message type lands: its spec, raw table and the cross-file rules applied against the warehouse."""

    spec: MessageSpec
    table: str
    description: str
    claims_unrecognised: bool = False
    apply_history: HistoryRule | None = None
    splits_by_sender: bool = False
    """Its rules look back only at the same sender's files, so its files may load in parts by sender
    (orchestration/warehouse/ingest_lanes.py)."""

    @property
    def claimed_types(self) -> tuple[str | None, ...]:
        """The inventory's message types this ingest loads; None: files that are no recognisable iJw message."""
        return (self.spec.message_type, *([None] if self.claims_unrecognised else []))

    def ingest_files(
        self,
        con: duckdb.DuckDBPyConnection,
        paths: list[Path],
        pseudonymiser: Pseudonymiser,
        run_id: str,
        schema: etree.XMLSchema | None = None,
        batch_files: int = BATCH_FILES,
        on_rejected_file: Callable[[ParsedFile], None] = lambda _parsed: None,
        *,
        landing_dir: Path,
        on_batch: Callable[[int], None] = lambda _files: None,
    ) -> list[LedgerEntry]:
        """Load files in path order, in batches (load.ingest_files), each read file marked read in the landing
        inventory in its batch's transaction, so no later run opens it while it stays unchanged."""
        source = RawSource(self.spec.message_type, read=None, table=self.table, max_bytes=MAX_FILE_BYTES)
        return ingest_files(
            con,
            paths,
            source,
            run_id,
            landing_dir,
            read_batch=lambda con, landed: read_record_batch(con, landed, self.spec, pseudonymiser, schema, self.table),
            apply_history=self.apply_history,
            on_rejected_file=on_rejected_file,
            batch_files=batch_files,
            on_batch=on_batch,
        )


@dataclass(frozen=True)
class IngestOutcome:
    """What loading one message type reports: ledger_metadata, and a message per rejected file."""

    message_type: str
    metadata: dict[str, int | float]
    rejected_files: list[str]
    lanes: int = 1
    """How many processes the ingest ran in, this message type's and the others' (orchestration/warehouse/
    ingest_lanes.py)."""


def combine_outcomes(outcomes: list[IngestOutcome]) -> list[IngestOutcome]:
    """One outcome per message type from those of its parts, in the order first met: the counts add up, and the
    duration is the longest part's (parts in different lanes load side by side)."""
    by_type: dict[str, list[IngestOutcome]] = {}
    for outcome in outcomes:
        by_type.setdefault(outcome.message_type, []).append(outcome)
    return [
        IngestOutcome(
            message_type,
            {
                name: (max if name == "duration_seconds" else sum)(part.metadata[name] for part in parts)
                for name in parts[0].metadata
            },
            [message for part in parts for message in part.rejected_files],
            parts[0].lanes,
        )
        for message_type, parts in by_type.items()
    ]


def load_message_type(
    con: duckdb.DuckDBPyConnection,
    message_type: str,
    paths: list[str],
    pseudonymiser: Pseudonymiser,
    run_id: str,
    xsd_dir: Path | None,
    landing_dir: Path,
    on_batch: Callable[[int], None] = lambda _files: None,
) -> IngestOutcome:
    """One message type's files loaded, with the figures a data engineer wants on the materialization; on_batch hears
    how many files each committed batch held."""
    started = time.monotonic()
    rejected: list[str] = []
    entries = BY_MESSAGE_TYPE[message_type].ingest_files(
        con,
        [Path(path) for path in paths],
        pseudonymiser,
        run_id,
        message_schema(xsd_dir, message_type) if xsd_dir else None,
        on_rejected_file=lambda parsed: rejected.append(
            f"{parsed.path}: file rejected ({parsed.file_rejection.reason}); see audit.quarantine"
        ),
        landing_dir=landing_dir,
        on_batch=on_batch,
    )
    return IngestOutcome(message_type, ledger_metadata(entries, time.monotonic() - started), rejected)


def claimed_files(con: duckdb.DuckDBPyConnection, ingest: IjwIngest, landing_dir: Path) -> list[Path]:
    """The inventoried files of ingest's message type, in path order."""
    return [Path(path) for path in claimed_paths(con, [ingest], landing_dir)[ingest.spec.message_type]]


def claimed_paths(con: duckdb.DuckDBPyConnection, ingests: list[IjwIngest], landing_dir: Path) -> dict[str, list[str]]:
    """The inventoried files each ingest claims, by message type, in path order: one pass over the inventory."""
    claimed: dict[str, list[str]] = {ingest.spec.message_type: [] for ingest in ingests}
    owners: dict[str | None, list[str] | None] = {}
    for path, message_type in landing_inventory.inventoried_files(con, landing_dir):
        if message_type not in owners:
            owner = next((ingest for ingest in ingests if message_type in ingest.claimed_types), None)
            owners[message_type] = None if owner is None else claimed[owner.spec.message_type]
        paths = owners[message_type]
        if paths is not None:
            paths.append(path)
    return claimed


def record_odd_entries(con: duckdb.DuckDBPyConnection, entries: list[OddEntry], run_id: str) -> list[LedgerEntry]:
    """The landing inventory's odd entries (landing_files.py), each recorded once, under the ingest that claims the
    files that are no recognisable message."""
    return [
        record_odd_entry(con, entry, UNRECOGNISED_OWNER.spec.message_type, UNRECOGNISED_OWNER.table, run_id)
        for entry in entries
    ]


DECLARATIONS = IjwIngest(
    jw323.SPEC,
    "raw.ijw_declaration_lines",
    "JW323 declaratie lines (Prestatie), with TR346, TR358, CS337, CS340, CS100, TR389 and CD060 enforced at the door.",
    claims_unrecognised=True,
    apply_history=apply_declaration_history,
    splits_by_sender=True,
)
ALLOCATIONS = IjwIngest(
    allocations.SPEC,
    "raw.ijw_allocations",
    "JW301 toewijzingen (ToegewezenProduct), one row per allocated product; a number naming another allocation "
    "(TR332) is quarantined.",
    apply_history=apply_allocation_history,
)
STARTS = IjwIngest(
    care_events.START_SPEC,
    "raw.ijw_start_events",
    "JW305 start zorg (StartProduct), withdrawals included; a start outside an accepted allocation of its own (TR019, "
    "START_OUTSIDE_ALLOCATION) or a withdrawal of a start never sent is quarantined.",
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
"""In load order: a start is judged against the allocations and a stop against the starts, so they come first."""
JUDGED_AGAINST = {STARTS.spec.message_type: ALLOCATIONS, STOPS.spec.message_type: STARTS}
"""By message type, the ingest whose accepted rows its rules look at: it loads after them, in the same lane."""
BY_MESSAGE_TYPE = {ingest.spec.message_type: ingest for ingest in IJW_INGESTS}
UNRECOGNISED_OWNER = next(ingest for ingest in IJW_INGESTS if ingest.claims_unrecognised)
"""The ingest whose ledger rows record files that are no recognisable message, and odd landing entries."""

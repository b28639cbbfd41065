"""The five iJw message types as the ingest loads them: each one's spec, raw table and cross-file rules.

Each message type reads its files from the landing inventory (audit.landed_files) in path order, so that a credit
or a withdrawal is read after what it refers to, and loads them in batches (orchestration/warehouse/load.py):
each file with its ledger row and quarantine rows, never part of a file. Files that are no recognisable iJw message
are claimed by the declarations, so that each is quarantined exactly once.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
from lxml import etree

from orchestration.ijw import allocations, care_events, jw323, referral_requests
from orchestration.ijw.pseudonym import Pseudonymiser
from orchestration.ijw.reader import MessageSpec
from orchestration.ijw.safe_xml import MAX_FILE_BYTES
from orchestration.warehouse.history_rules import (
    apply_allocation_history,
    apply_declaration_history,
    apply_start_history,
    apply_stop_history,
)
from orchestration.warehouse.load import (
    BATCH_FILES,
    HistoryRule,
    LedgerEntry,
    ParsedFile,
    RawSource,
    ingest_files,
)
from orchestration.warehouse.read_pass import ReadSettings, StagedFiles, read_into_stage


@dataclass(frozen=True)
class IjwIngest:
    """How one message type lands: its spec, raw table and the cross-file rules applied against the warehouse."""

    spec: MessageSpec
    table: str
    description: str
    claims_unrecognised: bool = False
    apply_history: HistoryRule | None = None
    splits_by_sender: bool = False
    """Its own rules look back only at the same sender's files, and what it is judged against (JUDGED_AGAINST) is
    loaded whole before it: in lanes, its files may be split by sender (ingest_lanes.py)."""

    @property
    def claimed_types(self) -> tuple[str | None, ...]:
        """The inventory's message types this ingest loads; None: files that are no recognisable iJw message."""
        return (self.spec.message_type, *([None] if self.claims_unrecognised else []))

    @property
    def source(self) -> RawSource:
        """Its files as the loader sees them; their texts are decided in batches (record_rules.decide_files)."""
        return RawSource(self.spec.message_type, read=None, table=self.table, max_bytes=MAX_FILE_BYTES)

    def ingest_files(
        self,
        con: duckdb.DuckDBPyConnection,
        paths: Sequence[Path | str],
        pseudonymiser: Pseudonymiser,
        run_id: str,
        schema: etree.XMLSchema | None = None,
        batch_files: int = BATCH_FILES,
        on_rejected_file: Callable[[ParsedFile], None] = lambda _parsed: None,
        *,
        landing_dir: Path,
        stage_dir: Path | None = None,
        on_batch: Callable[[int], None] = lambda _files: None,
    ) -> list[LedgerEntry]:
        """Load files in path order, in batches (load.ingest_files), each read file marked read in the landing
        inventory in its batch's transaction, so no later run opens it while it stays unchanged. Their texts come
        from the read pass's stage in stage_dir; without one, the files are read here first, each with this type's
        spec whatever its root says (a tool or a test loading given files)."""
        if stage_dir is None:
            with tempfile.TemporaryDirectory(prefix="ijw-stage-") as temporary:
                settings = ReadSettings(
                    landing_dir, Path(temporary), pseudonymiser, lambda _type: self.spec, lambda _type: schema
                )
                read_into_stage([(str(path), 0) for path in paths], settings)
                return self.ingest_files(
                    con, paths, pseudonymiser, run_id, None, batch_files, on_rejected_file,
                    landing_dir=landing_dir, stage_dir=Path(temporary), on_batch=on_batch,
                )  # fmt: skip
        staged = StagedFiles(stage_dir, self.spec, self.table)
        return ingest_files(
            con,
            paths,
            self.source,
            run_id,
            landing_dir,
            read_batch=staged.read_batch,
            contents_of=lambda batch: staged.contents(con, batch),
            apply_history=self.apply_history,
            on_rejected_file=on_rejected_file,
            batch_files=batch_files,
            on_batch=on_batch,
        )


DECLARATIONS = IjwIngest(
    jw323.SPEC,
    "raw.ijw_declaration_lines",
    "JW323 declaratie lines (Prestatie), with TR346, TR358, CS337, CS340, CS100, TR389 and CD060 enforced at the door.",
    claims_unrecognised=True,
    apply_history=apply_declaration_history,
    splits_by_sender=True,  # TR314, TR389 and CD060 key on the provider, its sender
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
    splits_by_sender=True,  # WITHDRAWAL_WITHOUT_DELIVERY keys on the provider, its sender; TR019 on all allocations
)
STOPS = IjwIngest(
    care_events.STOP_SPEC,
    "raw.ijw_stop_events",
    "JW307 stop zorg (StopProduct), withdrawals included; a stop without an accepted start is quarantined.",
    apply_history=apply_stop_history,
    splits_by_sender=True,  # STOP_WITHOUT_START, WITHDRAWAL_WITHOUT_DELIVERY key on the provider, its sender
)
REFERRALS = IjwIngest(
    referral_requests.SPEC,
    "raw.ijw_referral_requests",
    "JW315 verzoeken om toewijzing (AangevraagdProduct) with the referrer (Verwijzer, COD327).",
)
IJW_INGESTS = (REFERRALS, ALLOCATIONS, STARTS, STOPS, DECLARATIONS)
"""In load order: a start is judged against the allocations and a stop against the starts, so they come first."""
JUDGED_AGAINST = {STARTS.spec.message_type: ALLOCATIONS, STOPS.spec.message_type: STARTS}
"""By message type, the ingest whose accepted rows its rules look at: it loads after all of them (in lanes, in the
next phase)."""
BY_MESSAGE_TYPE = {ingest.spec.message_type: ingest for ingest in IJW_INGESTS}
UNRECOGNISED_OWNER = next(ingest for ingest in IJW_INGESTS if ingest.claims_unrecognised)
"""The ingest whose ledger rows record files that are no recognisable message, and odd landing entries."""


def reading_spec(message_type: str | None) -> MessageSpec | None:
    """The spec a file of this message type is read with in the ingest (read_pass.py): its own ingest's, the
    declarations' for a file that is no recognisable iJw message, none for a type no ingest reads."""
    if message_type is None:
        return UNRECOGNISED_OWNER.spec
    ingest = BY_MESSAGE_TYPE.get(message_type)
    return None if ingest is None else ingest.spec

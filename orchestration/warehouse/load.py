"""The one loader of every landed source (iJw messages, CBS snapshots, budget files): what a reader hands over (a
ParsedFile of records and Rejections), and one load function that writes a batch of files' accepted records, quarantine
rows and ledger rows in one transaction, so that per file records and cents read = accepted + quarantined.

A new source is a reader (bytes -> ParsedFile) and a RawSource naming its ledger type and raw table. Every source's
listed files are kept in one landing inventory (audit.landed_files, orchestration/warehouse/landing_inventory.py): the
load marks the sha256 it read in the transaction of the file's ledger row, and a file is not opened again while its
path, size and mtime stay; the same content under a new name is read and recorded as a duplicate.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
import operator
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from orchestration.ijw.bsn import redact_bsns
from orchestration.warehouse.landing_files import (
    UNREAD_PREFIX,
    LandedFile,
    Listing,
    OddEntry,
    landing_root,
    path_order,
    read_landed,
)
from orchestration.warehouse.read_ahead import read_ahead


class RecordError(Exception):
    """One record breaks a rule that concerns that record alone; reason_code names the rule."""

    def __init__(self, reason_code: str, reason: str):
        super().__init__(reason)
        self.reason_code = reason_code


@dataclass(frozen=True)
class Rejection:
    record_ref: str | None  # where in the file ('toewijzing 4711'); None for the whole file
    reason_code: str
    reason: str
    amount_cents: int = 0
    source_line: int | None = None
    source_record: int | None = None
    # Where the record had them, so an auditor reads the quarantine per municipality, provider and period.
    municipality_code: str | None = None
    provider_agb: str | None = None
    period_start: dt.date | None = None  # the record's own date (RECORD_PERIOD_ATTRIBUTES)


RECORD_PERIOD_ATTRIBUTES = ("period_start", "start_date", "valid_from", "requested_valid_from")
"""The attribute holding a parsed record's own date (the first it has): ProductPeriode Begindatum (JW323), Begindatum
(JW305/JW307), Ingangsdatum (JW301), ToewijzingIngangsdatum (JW315)."""


@dataclass
class ParsedFile:
    """What one file yielded: accepted records (dicts keyed by the raw table's columns, or the rows a batch reader
    staged in the warehouse and inserts itself), rejected records, and the file-level rejection if there was one. The
    loader adds the provenance columns (file_path, file_sha256, ingested_at, run_id)."""

    path: Path | str
    message_type: str
    records: list[Any] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    file_rejection: Rejection | None = None
    cents_column: str | None = "amount_cents"  # None for statistics (ledger cents 0)
    state: dict[str, Any] = field(default_factory=dict)  # message-level fields (the JW323 Declaratie header)

    def _cents(self, record: Any) -> int:
        if self.cents_column is None:
            return 0
        if isinstance(record, dict):
            return record.get(self.cents_column) or 0
        return getattr(record, self.cents_column, 0)

    @property
    def amount_cents_accepted(self) -> int:
        return sum(map(self._cents, self.records))

    @property
    def amount_cents_quarantined(self) -> int:
        return sum(rejection.amount_cents for rejection in self.rejections)

    @property
    def amount_cents_read(self) -> int:
        return self.amount_cents_accepted + self.amount_cents_quarantined

    def reject_record(self, record: Any, reason_code: str, reason: str, record_ref: str) -> None:
        self.rejections.append(
            Rejection(
                record_ref,
                reason_code,
                reason,
                self._cents(record),
                record.source_line,
                record.source_record,
                getattr(record, "municipality_code", None),
                getattr(record, "provider_agb", None),
                next((getattr(record, name) for name in RECORD_PERIOD_ATTRIBUTES if hasattr(record, name)), None),
            )
        )

    def reject_file(self, reason_code: str, reason: str, *, count_records: bool = True) -> ParsedFile:
        """The whole file rejected. count_records: each record read so far is quarantined with the file's reason, so
        its cents stay in the books (a message); else what was read is dropped, for a file that is one table and did
        not read as one (a CBS snapshot, a budget CSV)."""
        if count_records:
            for record in self.records:
                self.reject_record(record, reason_code, f"file rejected: {reason}", record.record_ref)
        else:
            self.rejections = []
        self.records = []
        self.file_rejection = Rejection(None, reason_code, reason)
        return self


@dataclass(frozen=True)
class LedgerEntry:
    file_path: str
    file_sha256: str
    message_type: str | None
    records_read: int
    records_accepted: int
    records_quarantined: int
    amount_cents_read: int
    amount_cents_accepted: int
    amount_cents_quarantined: int
    status: str
    ingested_at: dt.datetime
    run_id: str


@dataclass(frozen=True)
class QuarantineRow:
    """A rejected record, or the row of a rejected file, which carries the file's reason once (its cents are on the
    record rows)."""

    file_sha256: str
    file_path: str
    message_type: str | None
    record_ref: str | None
    reason_code: str
    reason: str
    amount_cents: int
    municipality_code: str | None
    provider_agb: str | None
    period_start: dt.date | None
    quarantined_at: dt.datetime
    run_id: str


@dataclass(frozen=True)
class RawSource:
    """A landed source: the ledger's message_type for its files, read(path, bytes) that parses one (None: its files
    are read in batches, ingest_files' read_batch), the raw table its rows go to and the largest file it reads."""

    message_type: str
    read: Callable[[Path, bytes], ParsedFile] | None
    table: str
    max_bytes: int


PRIOR_CATALOG = "prior"
"""The warehouse as a staging database sees it (orchestration/warehouse/ingest_lanes.py): attached read-only; the
staging databases of a lane's earlier phases are attached read-only as prior_1, prior_2, ..."""


def prior_catalog(number: int) -> str:
    """The name of a lane's `number`th read-only attachment: 0 the warehouse, then the earlier phases' lanes."""
    return f"{PRIOR_CATALOG}_{number}" if number else PRIOR_CATALOG


def known_rows(con: duckdb.DuckDBPyConnection, table: str) -> str:
    """table as the rules that look back see it: in the warehouse, the table; in a lane's staging database, what the
    lane loaded so far, what the warehouse held when the lane started and what the lanes of earlier phases loaded."""
    priors = con.execute(
        "select database_name from duckdb_databases() where database_name = ? or starts_with(database_name, ?)",
        [PRIOR_CATALOG, f"{PRIOR_CATALOG}_"],
    ).fetchall()
    if not priors:
        return table
    selects = [f"select * from {catalog}{table}" for catalog in ["", *(f"{name}." for (name,) in priors)]]  # noqa: S608
    return f"({' union all by name '.join(selects)})"


StagedInsert = Callable[[duckdb.DuckDBPyConnection, list[tuple[ParsedFile, str]], dt.datetime, str], None]
"""Inserts the accepted records a batch reader staged (con, batch, ingested_at, run_id)."""


def load_parsed_files(
    con: duckdb.DuckDBPyConnection,
    batch: list[tuple[ParsedFile, str]],
    run_id: str,
    table: str,
    insert_staged: StagedInsert | None = None,
    duplicates: Sequence[LedgerEntry] = (),
) -> list[LedgerEntry]:
    """Write a batch of (parsed file, sha256) (records, quarantine rows, ledger rows, and the ledger rows of its
    duplicates) in one transaction, which also marks the files read in the landing inventory (mark_read); records a
    batch reader staged are inserted by insert_staged. All or nothing per batch, so never part of a file; per batch,
    not per file, because a commit costs far more than a small file's rows."""
    if not batch and not duplicates:
        return []
    now = dt.datetime.now(dt.UTC)
    entries = [*duplicates, *(_ledger_entry(parsed, sha256, run_id, now) for parsed, sha256 in batch)]
    quarantine = [row for parsed, sha256 in batch for row in _quarantine_rows(parsed, sha256, run_id, now)]
    with transaction(con):
        if insert_staged is not None:
            insert_staged(con, batch, now, run_id)
        else:
            # A dict source's columns may differ between its files: a frame per file.
            for parsed, sha256 in batch:
                if parsed.records:
                    frame = pd.DataFrame(parsed.records)
                    frame["file_path"], frame["file_sha256"] = str(parsed.path), sha256
                    frame["ingested_at"], frame["run_id"] = now, run_id
                    _insert_frame(con, table, frame)
        # executemany inserts row by row; a registered frame goes in as one statement.
        if quarantine:
            _insert_frame(con, "audit.quarantine", _frame(quarantine))
        con.register("batch_ledger", _frame(entries))
        try:
            con.execute("insert into audit.ingest_ledger by name select * from batch_ledger")
            mark_read(con, "batch_ledger")
        finally:
            con.unregister("batch_ledger")
    return entries


def mark_read(con: duckdb.DuckDBPyConnection, ledger: str) -> None:
    """Keep in the landing inventory the sha256 each row of `ledger` (a relation with audit.ingest_ledger's file_path
    and file_sha256: a batch's rows, or a lane's ledger at the merge) read, so that file is not opened again while its
    path, size and mtime stay. Rows whose content was never read (landing_files.UNREAD_PREFIX) mark nothing; a file
    the inventory does not list (a lane's staging database, a test loading a path) is not marked."""
    con.execute(
        f"""
        update audit.landed_files k set file_sha256 = l.file_sha256
        from (
            select file_path, any_value(file_sha256) as file_sha256
            from {ledger}
            where not starts_with(file_sha256, ?)
            group by file_path
        ) l
        where k.file_path = l.file_path
        """,  # noqa: S608 - ledger names our own relation
        [UNREAD_PREFIX],
    )


def take_listing(con: duckdb.DuckDBPyConnection, files: list[LandedFile], prefix: str | None = None) -> tuple[int, int]:
    """Bring the landing inventory in line with a listing: a row without a sha256 (and, for iJw, without a type until
    the read pass gives it one) for each file new or changed (path, size and nanosecond mtime, as make and rsync
    decide); given prefix, the rows under it of files no longer listed removed (their ledger rows stay). One
    transaction; returns (files new or changed, rows removed)."""
    landed = pd.DataFrame(
        [(file.path, file.size, file.mtime_ns) for file in files], columns=["file_path", "size_bytes", "mtime_ns"]
    ).astype({"file_path": "str", "size_bytes": "int64", "mtime_ns": "int64"})
    con.register("landed_now", landed)
    try:
        new = con.execute(
            "select * from landed_now anti join audit.landed_files using (file_path, size_bytes, mtime_ns)"
        ).df()
        new["message_type"], new["sender"] = None, None
        con.register("newly_listed", new)
        with transaction(con):
            removed = 0
            if prefix is not None:
                removed = con.execute(
                    """
                    delete from audit.landed_files k
                    where starts_with(k.file_path, ?)
                      and not exists (select 1 from landed_now l where l.file_path = k.file_path)
                    """,
                    [prefix],
                ).fetchone()[0]
            if not new.empty:
                con.execute("delete from audit.landed_files where file_path in (select file_path from newly_listed)")
                con.execute("insert into audit.landed_files by name select * from newly_listed")
    finally:
        con.unregister("landed_now")
        con.unregister("newly_listed")
    return len(new), removed


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """All of the block's writes or, when it raises, none."""
    con.execute("begin transaction")
    try:
        yield
    except Exception:
        con.execute("rollback")
        raise
    con.execute("commit")


def _insert_frame(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    con.register("rows_to_insert", frame)
    con.execute(f"insert into {table} by name select * from rows_to_insert")  # noqa: S608 - our own table names
    con.unregister("rows_to_insert")


def _ledger_entry(parsed: ParsedFile, sha256: str, run_id: str, now: dt.datetime) -> LedgerEntry:
    accepted, quarantined = parsed.amount_cents_accepted, parsed.amount_cents_quarantined
    # By name: six counts in a row, positionally, would take a swap without a type error.
    return LedgerEntry(
        file_path=str(parsed.path),
        file_sha256=sha256,
        message_type=parsed.message_type,
        records_read=len(parsed.records) + len(parsed.rejections),
        records_accepted=len(parsed.records),
        records_quarantined=len(parsed.rejections),
        amount_cents_read=accepted + quarantined,
        amount_cents_accepted=accepted,
        amount_cents_quarantined=quarantined,
        status="rejected" if parsed.file_rejection else "loaded",
        ingested_at=now,
        run_id=run_id,
    )


def _quarantine_rows(parsed: ParsedFile, sha256: str, run_id: str, now: dt.datetime) -> list[QuarantineRow]:
    path = str(parsed.path)
    rejections = [*parsed.rejections, *([parsed.file_rejection] if parsed.file_rejection else [])]
    return [
        QuarantineRow(
            sha256,
            path,
            parsed.message_type,
            None if r.record_ref is None else redact_bsns(str(r.record_ref)),
            r.reason_code,
            redact_bsns(f"{path}: {r.reason}"),
            r.amount_cents,
            r.municipality_code,
            r.provider_agb,
            r.period_start,
            now,
            run_id,
        )
        for r in rejections
    ]


def _frame(rows: Sequence[Any]) -> pd.DataFrame:
    """Rows of one dataclass as a frame, a column per field."""
    names = [field.name for field in dataclasses.fields(rows[0])]
    return pd.DataFrame.from_records(list(map(operator.attrgetter(*names), rows)), columns=names)


def ledger_metadata(entries: list[LedgerEntry], seconds: float) -> dict[str, int | float]:
    """What a data engineer wants to see on a materialization: files, records and cents, loaded and quarantined."""

    def total(name: str) -> int:
        return sum(getattr(entry, name) for entry in entries)

    return {
        "files_loaded": sum(entry.status == "loaded" for entry in entries),
        "files_rejected": sum(entry.status == "rejected" for entry in entries),
        "files_duplicate": sum(entry.status == "duplicate" for entry in entries),
        "records_accepted": total("records_accepted"),
        "records_quarantined": total("records_quarantined"),
        "cents_accepted": total("amount_cents_accepted"),
        "cents_quarantined": total("amount_cents_quarantined"),
        "dagster/row_count": total("records_accepted"),
        "duration_seconds": round(seconds, 2),
    }


LandedContent = tuple[Path | str, bytes | None, str]
"""(path, bytes, sha256) of a file to read."""
BatchReader = Callable[
    [duckdb.DuckDBPyConnection, list[LandedContent]], tuple[list[tuple[ParsedFile, str]], StagedInsert | None]
]
"""Reads a batch of new files: the parsed files in order, and how to insert records it staged (None: none staged)."""
HistoryRule = Callable[[duckdb.DuckDBPyConnection, list[ParsedFile]], None]
"""The rules that judge a batch's records against earlier files (TR389, TR019, ...), rejecting in place."""

# Files are loaded in batches, one transaction each: a commit and the hand-over of a batch's rows to DuckDB cost about
# 20 ms whatever the batch holds, more than a thousand small files' rows. A batch is bounded in bytes too, since its
# contents and parsed records are held in memory until the commit.
BATCH_FILES = 5000
BATCH_BYTES = 64 * 1024 * 1024


def batches(files: Sequence[Path | str], batch_files: int = BATCH_FILES) -> Iterator[list[Path | str]]:
    batch: list[Path | str] = []
    size = 0
    for path in files:
        try:
            file_size = os.lstat(path).st_size
        except OSError:
            file_size = 0  # gone or no regular file: it is not read, so it weighs nothing
        if batch and (len(batch) >= batch_files or size + file_size > BATCH_BYTES):
            yield batch
            batch, size = [], 0
        batch.append(path)
        size += file_size
    if batch:
        yield batch


Contents = dict[Path | str, tuple[bytes | None, str, OddEntry | None]]
"""Per path, (bytes, sha256, None) of a file read through the landing rule (orchestration/warehouse/landing_files.py),
or (None, the entry's ledger key, the entry) of an entry that is not read: above the cap, gone, unreadable, no regular
file, outside the landing directory, changing."""


def _load_contents(
    con: duckdb.DuckDBPyConnection,
    contents: Contents,
    source: RawSource,
    run_id: str,
    read_batch: BatchReader,
    apply_history: HistoryRule | None,
    on_rejected_file: Callable[[ParsedFile], None],
) -> list[LedgerEntry]:
    """One batch: a content already in the ledger (any name, an earlier batch or this one) gets a duplicate row and
    nothing else; an entry that was not read is rejected with its reason; the rest is parsed by read_batch, judged
    against earlier files by apply_history, and written by load_parsed_files."""
    rows = con.execute(
        f"select distinct file_sha256 from {known_rows(con, 'audit.ingest_ledger')} "  # noqa: S608 - our own table
        "where file_sha256 in (select unnest(?)) and status in ('loaded', 'rejected')",
        [[sha256 for _data, sha256, _odd in contents.values()]],
    ).fetchall()
    seen = {sha256 for (sha256,) in rows}
    new: list[LandedContent] = []
    unread: list[tuple[ParsedFile, str]] = []
    duplicates: list[LedgerEntry] = []
    for path, (data, sha256, odd) in contents.items():
        if sha256 in seen:
            # A content loaded or rejected before: a ledger row with no records and no cents.
            named = str(path if odd is None else odd.path)
            zeros = (0, 0, 0, 0, 0, 0)
            now = dt.datetime.now(dt.UTC)
            duplicates.append(LedgerEntry(named, sha256, source.message_type, *zeros, "duplicate", now, run_id))
            continue
        seen.add(sha256)
        if odd is None:
            new.append((path, data, sha256))
        else:
            rejected = ParsedFile(Path(odd.path), source.message_type)
            unread.append((rejected.reject_file(odd.reason_code, odd.reason), sha256))
    parsed_batch, insert_staged = read_batch(con, new)
    if apply_history is not None:
        apply_history(con, [parsed for parsed, _ in parsed_batch])
    parsed_batch += unread
    for parsed, _ in parsed_batch:
        if parsed.file_rejection is not None:
            on_rejected_file(parsed)
    return load_parsed_files(con, parsed_batch, run_id, source.table, insert_staged, duplicates)


def _read_each(source: RawSource) -> BatchReader:
    return lambda _con, landed: ([(source.read(path, data), sha256) for path, data, sha256 in landed], None)


def ingest_files(
    con: duckdb.DuckDBPyConnection,
    files: Sequence[Path | str],
    source: RawSource,
    run_id: str,
    landing_dir: Path,
    *,
    read_batch: BatchReader | None = None,
    contents_of: Callable[[list[Path]], Contents] | None = None,
    apply_history: HistoryRule | None = None,
    on_rejected_file: Callable[[ParsedFile], None] = lambda _parsed: None,
    batch_files: int = BATCH_FILES,
    on_batch: Callable[[int], None] = lambda _files: None,
) -> list[LedgerEntry]:
    """Load files in the order given, in batches (_load_contents): each file's contents (default: read once by the
    landing rule for landing_dir; an iJw file's, from the read pass's stage) parsed by read_batch (default: source.read
    per file); on_batch hears how many files each committed batch held."""
    entries: list[LedgerEntry] = []
    root = landing_root(landing_dir)
    for batch in batches(files, batch_files):
        with collector_paused():
            contents = _read_contents(batch, root, source.max_bytes) if contents_of is None else contents_of(batch)
            entries += _load_contents(
                con, contents, source, run_id, read_batch or _read_each(source), apply_history, on_rejected_file
            )
        on_batch(len(batch))
    return entries


def _read_contents(batch: list[Path | str], root: str, max_bytes: int) -> Contents:
    contents: Contents = {}
    for path in read_ahead(batch):  # each file read once, for its hash and its parse
        try:
            contents[path] = (*read_landed(path, root, max_bytes), None)
        except OddEntry as entry:
            # A copy never raised: the caught one's traceback holds this frame, and the batch, in a cycle.
            kept = OddEntry(entry.path, entry.reason_code, entry.reason, entry.identity)
            contents[path] = (None, entry.ledger_key, kept)
    return contents


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector paused for the block (one batch): a batch holds a tuple or more per record, and each
    full collection while it grows walks them all (docs/benchmarks.md). The readers make no reference cycles
    (reader.read_records), so nothing waits for the collector meanwhile."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def record_odd_entries(
    con: duckdb.DuckDBPyConnection, entries: list[OddEntry], source: RawSource, run_id: str
) -> list[LedgerEntry]:
    """Entries that are no file to load, each recorded as a rejected file with its reason, or as a duplicate when the
    same entry in the same state was recorded before: one batch, with no file to read. Their ledger rows in order."""
    if not entries:
        return []
    contents: Contents = {entry.path: (None, entry.ledger_key, entry) for entry in entries}
    recorded = _load_contents(con, contents, source, run_id, _read_each(source), None, lambda _parsed: None)
    order = {entry.ledger_key: number for number, entry in enumerate(entries)}
    return sorted(recorded, key=lambda row: order[row.file_sha256])


def ingest_listing(
    con: duckdb.DuckDBPyConnection,
    listing: Listing,
    source: RawSource,
    run_id: str,
    landing_dir: Path,
    warn: Callable[[str], None],
) -> list[LedgerEntry]:
    """A source's listing loaded: its odd entries recorded, each file not read before ingested; warn hears of every
    entry that did not load, by name and reason."""
    if listing.folder_problem:
        warn(f"{source.message_type} files not listed: {listing.folder_problem}")
    entries = record_odd_entries(con, listing.odd, source, run_id)
    for odd in listing.odd:
        warn(f"{odd.path}: {odd.reason_code}, {odd.reason}")
    # Files read by an earlier load at the same size and mtime are not opened again.
    take_listing(con, listing.files)
    unread = con.execute(
        "select file_path from audit.landed_files where file_sha256 is null and file_path in (select unnest(?))",
        [[landed.path for landed in listing.files]],
    ).fetchall()
    paths = sorted((path for (path,) in unread), key=path_order)
    loaded = ingest_files(con, [Path(path) for path in paths], source, run_id, landing_dir)
    for entry in loaded:
        if entry.status == "rejected" or entry.records_quarantined:
            warn(
                f"{entry.file_path}: {entry.records_quarantined} records quarantined, status {entry.status}; "
                f"see audit.quarantine (file_sha256 {entry.file_sha256})"
            )
    return entries + loaded

"""Loading one parsed landing file (CBS snapshot, budget file) into its raw table, with quarantine and ledger rows,
in one transaction. The JW323 path (ingest.py) predates this and keeps its own typed loader.

A listed file whose content was read (loaded, rejected by its reader, or a duplicate) is remembered in
audit.landed_files_read under its path, size and mtime, in the transaction of its ledger row, and is not opened again
while those stay (the trust make and rsync place in them; the iJw landing inventory does the same): a re-run with
nothing new writes no ledger row. A changed file, or the same content under a new name, is read, the latter recorded as
a duplicate. An entry that could not be read is looked at again at every run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from orchestration.warehouse.ingest import LedgerEntry, already_ingested, insert_ledger, record_duplicate
from orchestration.warehouse.landing_files import (
    EntryProblem,
    LandedFile,
    Listing,
    OddEntry,
    landing_root,
    odd_entry,
    read_landed,
)


@dataclass(frozen=True)
class RawSource:
    """A landed source: the ledger's message_type for its files, read(path, bytes) that parses one, the raw table its
    rows go to and the largest file it reads."""

    message_type: str
    read: Callable[[Path, bytes], ParsedFile]
    table: str
    max_bytes: int


@dataclass(frozen=True)
class Rejection:
    record_ref: str | None
    """Where in the file: 'line 12', 'TypedDataSet ID 40'; None for the whole file."""
    reason_code: str
    reason: str
    amount_cents: int = 0


@dataclass
class ParsedFile:
    """A landing file read into rows for one raw table. Rows are dicts keyed by the raw table's columns, without the
    provenance columns (file_path, file_sha256, ingested_at, run_id), which the loader adds."""

    path: Path
    message_type: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    file_rejection: Rejection | None = None
    cents_column: str | None = None
    """The column holding the row's money in cents, for the ledger; None for statistics (ledger cents 0)."""

    def reject_file(self, reason_code: str, reason: str) -> ParsedFile:
        # A file-level rejection drops the rows read so far into the quarantine count: nothing of it loads.
        self.file_rejection = Rejection(None, reason_code, reason)
        self.rows = []
        self.rejections = []
        return self

    @property
    def cents_accepted(self) -> int:
        if self.cents_column is None:
            return 0
        return sum(row[self.cents_column] or 0 for row in self.rows)


def load_parsed_file(
    con: duckdb.DuckDBPyConnection,
    parsed: ParsedFile,
    table: str,
    sha256: str,
    run_id: str,
    landed: LandedFile | None = None,
) -> LedgerEntry:
    """Write the accepted rows to `table`, the rejections to audit.quarantine and the ledger row, atomically; and,
    given the listed file it was read from, remember it as read."""
    now = dt.datetime.now(dt.UTC)
    path = str(parsed.path)
    quarantined_cents = sum(rejection.amount_cents for rejection in parsed.rejections)
    entry = LedgerEntry(
        file_path=path,
        file_sha256=sha256,
        message_type=parsed.message_type,
        records_read=len(parsed.rows) + len(parsed.rejections),
        records_accepted=len(parsed.rows),
        records_quarantined=len(parsed.rejections),
        amount_cents_read=parsed.cents_accepted + quarantined_cents,
        amount_cents_accepted=parsed.cents_accepted,
        amount_cents_quarantined=quarantined_cents,
        status="rejected" if parsed.file_rejection else "loaded",
        ingested_at=now,
        run_id=run_id,
    )
    rejections = list(parsed.rejections)
    if parsed.file_rejection is not None:
        rejections.append(parsed.file_rejection)
    quarantine = [
        (sha256, path, parsed.message_type, r.record_ref, r.reason_code, f"{path}: {r.reason}", r.amount_cents, now)
        + (run_id,)
        for r in rejections
    ]
    with _transaction(con):
        if parsed.rows:
            frame = pd.DataFrame(parsed.rows)
            frame["file_path"], frame["file_sha256"], frame["ingested_at"], frame["run_id"] = path, sha256, now, run_id
            con.register("accepted_rows", frame)
            con.execute(f"insert into {table} by name select * from accepted_rows")  # noqa: S608 - table is ours
            con.unregister("accepted_rows")
        if quarantine:
            con.executemany(
                "insert into audit.quarantine (file_sha256, file_path, message_type, record_ref, reason_code, reason, "
                "amount_cents, quarantined_at, run_id) values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                quarantine,
            )
        insert_ledger(con, entry)
        if landed is not None:
            _remember_read(con, landed, sha256)
    return entry


@contextmanager
def _transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    con.execute("begin transaction")
    try:
        yield
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def _remember_read(con: duckdb.DuckDBPyConnection, landed: LandedFile, sha256: str) -> None:
    con.execute(
        "insert or replace into audit.landed_files_read values (?, ?, ?, ?)",
        [landed.path, landed.size, landed.mtime_ns, sha256],
    )


def read_before(con: duckdb.DuckDBPyConnection, landed: LandedFile) -> bool:
    """Whether this listed file, at this size and mtime, was read by an earlier load."""
    (count,) = con.execute(
        "select count(*) from audit.landed_files_read where file_path = ? and size_bytes = ? and mtime_ns = ?",
        [landed.path, landed.size, landed.mtime_ns],
    ).fetchone()
    return count > 0


def ingest_file(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    source: RawSource,
    run_id: str,
    landing_dir: Path,
    landed: LandedFile | None = None,
) -> LedgerEntry:
    """Load one landed file unless the same content was loaded or rejected before (then: a 'duplicate' ledger row).

    The file is read once (orchestration/warehouse/landing_files.py: a regular file inside landing_dir, at most
    source.max_bytes) and source.read(path, bytes) parses those bytes, so what is hashed is what is parsed. Given
    the listing's entry for it, the file is remembered as read in the transaction of its ledger row."""
    try:
        content = read_landed(path, landing_root(landing_dir), source.max_bytes)
    except EntryProblem as problem:
        return record_odd_entry(con, odd_entry(str(path), problem), source.message_type, source.table, run_id)
    if content.sha256 in already_ingested(con, [content.sha256]):
        with _transaction(con):
            entry = record_duplicate(con, path, content.sha256, source.message_type, run_id)
            if landed is not None:
                _remember_read(con, landed, content.sha256)
        return entry
    parsed = source.read(path, content.data)
    return load_parsed_file(con, parsed, source.table, content.sha256, run_id, landed)


def record_odd_entry(
    con: duckdb.DuckDBPyConnection, entry: OddEntry, message_type: str, table: str, run_id: str
) -> LedgerEntry:
    """An entry that is no file to load, recorded as a rejected file with its reason, or as a duplicate when the
    same entry in the same state was recorded before."""
    if entry.ledger_key in already_ingested(con, [entry.ledger_key]):
        return record_duplicate(con, Path(entry.path), entry.ledger_key, message_type, run_id)
    rejected = ParsedFile(Path(entry.path), message_type).reject_file(entry.reason_code, entry.reason)
    return load_parsed_file(con, rejected, table, entry.ledger_key, run_id)


def ingest_listing(
    con: duckdb.DuckDBPyConnection,
    listing: Listing,
    source: RawSource,
    run_id: str,
    landing_dir: Path,
    warn: Callable[[str], None],
) -> list[LedgerEntry]:
    """A source's listing loaded: each odd entry recorded, each file not read before ingested; warn hears of every
    entry that did not load, by name and reason."""
    if listing.folder_problem:
        warn(f"{source.message_type} files not listed: {listing.folder_problem}")
    entries = []
    for odd in listing.odd:
        entries.append(record_odd_entry(con, odd, source.message_type, source.table, run_id))
        warn(f"{odd.path}: {odd.reason_code}, {odd.reason}")
    for landed in listing.files:
        if read_before(con, landed):
            continue
        entry = ingest_file(con, Path(landed.path), source, run_id, landing_dir, landed)
        if entry.status == "rejected" or entry.records_quarantined:
            warn(
                f"{entry.file_path}: {entry.records_quarantined} records quarantined, status {entry.status}; "
                f"see audit.quarantine (file_sha256 {entry.file_sha256})"
            )
        entries.append(entry)
    return entries

"""Loading iJw message files in batches: duplicate check, reading, cross-file rules, one transaction per batch."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
from lxml import etree

from orchestration.ijw.pseudonym import Pseudonymiser
from orchestration.ijw.reader import MessageSpec, read_message_file
from orchestration.ijw.safe_xml import MAX_FILE_BYTES
from orchestration.warehouse.landing_files import EntryProblem, landing_root, odd_entry, read_landed
from orchestration.warehouse.landing_inventory import mark_read
from orchestration.warehouse.load import (
    LedgerEntry,
    ParsedFile,
    Rejection,
    StagedInsert,
    already_ingested,
    duplicate_entry,
    load_parsed_files,
)
from orchestration.warehouse.read_ahead import read_ahead

# Files are loaded in batches, one transaction each: a commit and the hand-over of a batch's rows to DuckDB cost about
# 20 ms whatever the batch holds, more than a thousand small files' rows. A batch is bounded in bytes too, since its
# contents and parsed records are held in memory until the commit.
BATCH_FILES = 5000
BATCH_BYTES = 64 * 1024 * 1024

HistoryRule = Callable[[duckdb.DuckDBPyConnection, list[ParsedFile]], None]
LandedContent = tuple[Path, bytes | None, str]
"""(path, bytes, sha256) of a file to read."""
BatchReader = Callable[
    [duckdb.DuckDBPyConnection, list[LandedContent], MessageSpec, Pseudonymiser, etree.XMLSchema | None],
    tuple[list[tuple[ParsedFile, str]], StagedInsert | None],
]
"""Reads a batch of new files: the parsed files in order, and how to insert records it staged (None: none staged)."""


def no_history(_con: duckdb.DuckDBPyConnection, _batch: list[ParsedFile]) -> None:
    """Message types without cross-file rules at the door."""


def read_each_file(
    _con: duckdb.DuckDBPyConnection,
    landed: list[LandedContent],
    spec: MessageSpec,
    pseudonymiser: Pseudonymiser,
    schema: etree.XMLSchema | None,
) -> tuple[list[tuple[ParsedFile, str]], StagedInsert | None]:
    """The reference reader on every file."""
    return [(read_message_file(path, spec, pseudonymiser, schema, data), sha256) for path, data, sha256 in landed], None


def batches(files: list[Path], batch_files: int = BATCH_FILES) -> Iterator[list[Path]]:
    batch: list[Path] = []
    size = 0
    for path in files:
        file_size = _landed_size(path)
        if batch and (len(batch) >= batch_files or size + file_size > BATCH_BYTES):
            yield batch
            batch, size = [], 0
        batch.append(path)
        size += file_size
    if batch:
        yield batch


def _landed_size(path: Path) -> int:
    """The size a batch counts a file at; a file that is gone or no regular file weighs nothing (it is not read)."""
    try:
        return os.lstat(path).st_size
    except OSError:
        return 0


def _landed_content(path: Path, root: str) -> tuple[bytes | None, str, EntryProblem | None]:
    """(bytes, sha256, None) read in one go through the landing rule (orchestration/warehouse/landing_files.py), so a
    file is read once for its hash and its parse; (None, the entry's ledger key, why) for a file that is not read:
    above the iJw cap, gone, unreadable, no regular file, outside the landing directory, changing."""
    try:
        content = read_landed(path, root, MAX_FILE_BYTES)
    except EntryProblem as problem:
        return None, odd_entry(str(path), problem).ledger_key, problem
    return content.data, content.sha256, None


def _unread_file(path: Path, spec: MessageSpec, problem: EntryProblem) -> ParsedFile:
    return ParsedFile(path, spec.message_type, file_rejection=Rejection(None, problem.reason_code, str(problem)))


def ingest_message_files(
    con: duckdb.DuckDBPyConnection,
    files: list[Path],
    spec: MessageSpec,
    table: str,
    pseudonymiser: Pseudonymiser,
    run_id: str,
    apply_history: HistoryRule = no_history,
    on_rejected_file: Callable[[ParsedFile], None] = lambda _parsed: None,
    schema: etree.XMLSchema | None = None,
    batch_files: int = BATCH_FILES,
    read_batch: BatchReader = read_each_file,
    *,
    landing_dir: Path,
    on_batch: Callable[[int], None] = lambda _files: None,
) -> list[LedgerEntry]:
    """Load files in path order; a content already in the ledger (any name) gets a duplicate row and nothing else.
    Files are opened by the landing rule for landing_dir; one that cannot be read is rejected with the reason. Each
    file read is marked in the landing inventory in its batch's transaction, so no later run opens it again while it
    stays unchanged (orchestration/warehouse/landing_inventory.py). on_batch hears how many files each committed batch
    held."""
    entries: list[LedgerEntry] = []
    root = landing_root(landing_dir)
    for batch in batches(files, batch_files):
        contents = {path: _landed_content(path, root) for path in read_ahead(batch)}
        seen = already_ingested(con, [sha256 for _data, sha256, _problem in contents.values()])
        new: list[LandedContent] = []
        unread: list[tuple[ParsedFile, str]] = []
        duplicates: list[LedgerEntry] = []
        for path, (data, sha256, problem) in contents.items():
            if sha256 in seen:
                duplicates.append(duplicate_entry(path, sha256, spec.message_type, run_id))
                continue
            seen.add(sha256)
            if problem is None:
                new.append((path, data, sha256))
            else:
                unread.append((_unread_file(path, spec, problem), sha256))
        parsed_batch, insert_staged = read_batch(con, new, spec, pseudonymiser, schema)
        apply_history(con, [parsed for parsed, _ in parsed_batch])
        parsed_batch += unread
        for parsed, _ in parsed_batch:
            if parsed.file_rejection is not None:
                on_rejected_file(parsed)
        entries += load_parsed_files(con, parsed_batch, run_id, table, insert_staged, duplicates, mark_read)
        on_batch(len(batch))
    return entries

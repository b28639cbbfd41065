"""Loading iJw message files in batches: duplicate check, reading, cross-file rules, one transaction per batch."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
from lxml import etree

from orchestration.ijw.pseudonym import Pseudonymiser
from orchestration.ijw.reader import MessageSpec, ParsedFile, read_message_file
from orchestration.ijw.safe_xml import MAX_FILE_BYTES
from orchestration.warehouse.ingest import (
    LedgerEntry,
    StagedInsert,
    already_ingested,
    file_sha256,
    load_parsed_files,
    record_duplicate,
)
from orchestration.warehouse.read_ahead import read_ahead

# Files are loaded in batches, one transaction each: a commit and the hand-over of a batch's rows to DuckDB cost about
# 20 ms whatever the batch holds, more than a thousand small files' rows. A batch is bounded in bytes too, since its
# contents and parsed records are held in memory until the commit.
BATCH_FILES = 5000
BATCH_BYTES = 64 * 1024 * 1024

HistoryRule = Callable[[duckdb.DuckDBPyConnection, list[ParsedFile]], None]
LandedContent = tuple[Path, bytes | None, str]
"""(path, bytes, sha256) of a file to read; bytes is None for a file above the iJw cap, refused unread."""
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
        file_size = path.stat().st_size
        if batch and (len(batch) >= batch_files or size + file_size > BATCH_BYTES):
            yield batch
            batch, size = [], 0
        batch.append(path)
        size += file_size
    if batch:
        yield batch


def _landed_content(path: Path) -> tuple[bytes | None, str]:
    """(bytes, sha256) read in one go, so a file is read once for its hash and its parse; a file above the iJw cap is
    only hashed (in chunks) and left for the reader to refuse unread."""
    with path.open("rb") as handle:
        if os.fstat(handle.fileno()).st_size > MAX_FILE_BYTES:
            return None, file_sha256(path)
        data = handle.read()
    return data, hashlib.sha256(data).hexdigest()


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
) -> list[LedgerEntry]:
    """Load files in path order; a content already in the ledger (any name) gets a duplicate row and nothing else."""
    entries: list[LedgerEntry] = []
    for batch in batches(files, batch_files):
        contents = {path: _landed_content(path) for path in read_ahead(batch)}
        seen = already_ingested(con, [sha256 for _data, sha256 in contents.values()])
        new: list[LandedContent] = []
        for path, (data, sha256) in contents.items():
            if sha256 in seen:
                entries.append(record_duplicate(con, path, sha256, spec.message_type, run_id))
                continue
            seen.add(sha256)
            new.append((path, data, sha256))
        parsed_batch, insert_staged = read_batch(con, new, spec, pseudonymiser, schema)
        apply_history(con, [parsed for parsed, _ in parsed_batch])
        for parsed, _ in parsed_batch:
            if parsed.file_rejection is not None:
                on_rejected_file(parsed)
        entries += load_parsed_files(con, parsed_batch, run_id, table, insert_staged)
    return entries

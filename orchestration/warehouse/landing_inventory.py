"""The landing inventory (audit.landed_files): every listed file of every source, once per file version, with the
sha256 the ingest read there; for iJw also the message type each file holds, which the five ingest assets read by.

A file is new or changed by its path, size and nanosecond mtime, as make and rsync decide (load.take_listing). The
asset audit/ijw_landed_files brings the iJw part up to date once per run: a new or changed file is sniffed for its type
(the root's namespace, orchestration/ijw/safe_xml.py) and sender, many in processes, and a file gone from landing/ijw
leaves the inventory (its ledger rows stay). The CBS and budget assets enter their listings the same way, unsniffed.

The load marks each row with the sha256 it read (load.mark_read), in the transaction of that file's ledger row, and
reads only rows without one: a re-run with nothing new opens no file and writes no ledger row, and a killed run's
uncommitted files are read by the next. The same content under a new name is a new row, read, and recorded by the
ledger as a duplicate; an entry that could not be read stays unmarked and is looked at again each run. A file
rewritten in place with the same size and mtime is not read again (land a correction as a new file, as iJw senders
do); rewritten with another type, the reader of its old type refuses it (WRONG_NAMESPACE), so it is quarantined.

Odd entries of the listing (orchestration/warehouse/landing_files.py) never enter the inventory: the update hands them
back to be recorded in the ledger. A file that cannot be opened when sniffed has no type, so the ingest that claims
unrecognised files opens it again and records why.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path

import duckdb
import pandas as pd

from orchestration.ijw.bsn import redact_bsns
from orchestration.ijw.safe_xml import MAX_FILE_BYTES, MessageHead, sniff_stream
from orchestration.warehouse.landing_files import (
    OddEntry,
    landing_root,
    list_landing,
    open_landed,
    path_order,
)
from orchestration.warehouse.load import take_listing
from orchestration.warehouse.progress import Progress
from orchestration.warehouse.read_ahead import read_ahead
from orchestration.warehouse.worker_pool import worker_pool


@dataclass(frozen=True)
class InventoryUpdate:
    files: int
    sniffed: int  # new or changed files classified in this update
    removed: int  # files no longer in the landing directory
    to_read: int  # files the ingest has not read yet: new, changed, or left unread by an earlier run
    by_type: dict[str, int]  # files per message type; 'unrecognised' for files that are no iJw 3.2 message
    odd_entries: list[OddEntry]  # entries named like messages that are no regular file in the landing, to record
    folder_problem: str | None = None  # why landing_dir/ijw itself was not listed, for a warning


def _prefix(landing_dir: Path) -> str:
    return os.path.join(landing_dir / "ijw", "")


SNIFF_IN_PROCESSES_FROM = 20_000
"""Fewer new files than this are sniffed in this process: starting the others (about a second) would cost more."""
_SNIFF_CHUNK_FILES = 10_000


def sniff_heads(
    paths: list[str], landing_dir: Path, processes: int = 1, on_chunk: Callable[[int], None] = lambda _files: None
) -> list[MessageHead]:
    """The message type and sender of each file (sniff_landed), in order, sniffed by up to `processes` processes;
    on_chunk hears how many files each chunk sniffed held."""
    spread = processes > 1 and len(paths) > 1
    size = min(_SNIFF_CHUNK_FILES, -(-len(paths) // processes)) if spread else _SNIFF_CHUNK_FILES
    chunks = [paths[start : start + size] for start in range(0, len(paths), size)]
    heads: list[MessageHead] = []
    with worker_pool(processes) if spread else nullcontext() as pool:
        for chunk in (pool.map if spread else map)(_sniff_chunk, chunks, repeat(landing_dir)):
            heads += chunk
            on_chunk(len(chunk))
    return heads


def _sniff_chunk(paths: list[str], landing_dir: Path) -> list[MessageHead]:
    root = landing_root(landing_dir)
    return [sniff_landed(path, root) for path in read_ahead(paths)]


def sniff_landed(path: str, root: str) -> MessageHead:
    """The message type and sender of a landed file (safe_xml.sniff_stream), opened by the landing rule (root:
    landing_files.landing_root); a file that cannot be opened by it has no type here, and the ingest that reads it
    records why."""
    try:
        with open_landed(path, root) as source:
            return sniff_stream(source)
    except OddEntry:
        return MessageHead(None, None)


def update_inventory(
    con: duckdb.DuckDBPyConnection,
    landing_dir: Path,
    processes: int = 1,
    say: Callable[[str], None] = lambda _line: None,
) -> InventoryUpdate:
    """Bring the inventory in line with landing_dir/ijw (load.take_listing): sniff new and changed files (in up to
    `processes` processes when there are many), drop vanished ones; say hears how far a long sniff is (progress.py)."""
    listing = list_landing(landing_dir, "ijw", ".xml", recursive=True)

    def classify(new: pd.DataFrame) -> None:
        # A file above the iJw cap is not opened: the reader refuses it unread.
        sniffable = new["size_bytes"] <= MAX_FILE_BYTES
        new_paths = list(new.loc[sniffable, "file_path"])
        progress = Progress("iJw files sniffed", len(new_paths), say)
        spread = processes if len(new_paths) >= SNIFF_IN_PROCESSES_FROM else 1
        sniffed = iter(sniff_heads(new_paths, landing_dir, spread, progress.add))
        heads = [next(sniffed) if fits else MessageHead(None, None) for fits in sniffable]
        new["message_type"] = [head.message_type for head in heads]
        # A valid sender is an AGB code (8 digits) or a gemeente code (4): a BSN written there is no sender to keep.
        new["sender"] = [redact_bsns(head.sender) for head in heads]

    sniffed, removed = take_listing(con, listing.files, classify, _prefix(landing_dir))
    counts = files_by_type(con, landing_dir)
    by_type = {message_type: files for message_type, (files, _unread) in counts.items()}
    to_read = sum(unread for _files, unread in counts.values())
    return InventoryUpdate(len(listing.files), sniffed, removed, to_read, by_type, listing.odd, listing.folder_problem)


def files_by_type(con: duckdb.DuckDBPyConnection, landing_dir: Path) -> dict[str, tuple[int, int]]:
    """(files, files the ingest has yet to read) per inventoried message type, 'unrecognised' for files that are no
    iJw 3.2 message."""
    counts = con.execute(
        """
        select coalesce(message_type, 'unrecognised'), count(*), count(*) filter (where file_sha256 is null)
        from audit.landed_files where starts_with(file_path, ?) group by all order by all
        """,
        [_prefix(landing_dir)],
    ).fetchall()
    return {message_type: (files, unread) for message_type, files, unread in counts}


def files_by_sender(
    con: duckdb.DuckDBPyConnection, landing_dir: Path, message_types: tuple[str | None, ...]
) -> list[tuple[list[str], int]]:
    """The inventoried files of these message types (None: no recognisable iJw message) the ingest has yet to read,
    grouped by their sender: (paths in path order, landed bytes) per sender."""
    rows = con.execute(
        """
        select sender, list(file_path), sum(size_bytes)::bigint
        from audit.landed_files
        where starts_with(file_path, ?) and file_sha256 is null
          and (list_contains(?::varchar[], message_type) or (? and message_type is null))
        group by sender
        """,
        [_prefix(landing_dir), [kind for kind in message_types if kind is not None], None in message_types],
    ).fetchall()
    return [(sorted(paths, key=path_order), size) for _sender, paths, size in rows]

"""The landing inventory (audit.landed_files): every listed file of every source, once per file version, with the
sha256 the ingest read there; for iJw also the message type and sender each file holds, by which the five ingest
assets plan their loads.

A file is new or changed by its path, size and nanosecond mtime, as make and rsync decide (load.take_listing). The
asset audit/ijw_landed_files brings the iJw part up to date once per run without opening a file: a new or changed file
enters with no type, and a file gone from landing/ijw leaves the inventory (its ledger rows stay). The ingest step's
read pass (read_unread, orchestration/warehouse/read_pass.py) then reads each file the ingest has yet to read, once,
and keeps its type and sender here. The CBS and budget assets enter their listings the same way, with no type.

The load marks each row with the sha256 it read (load.mark_read), in the transaction of that file's ledger row, and
reads only rows without one: a re-run with nothing new opens no file and writes no ledger row, and a killed run's
uncommitted files are read by the next. The same content under a new name is a new row, read, and recorded by the
ledger as a duplicate; an entry that could not be read stays unmarked and is looked at again each run. A file
rewritten in place with the same size and mtime is not read again (land a correction as a new file, as iJw senders
do).

Odd entries of the listing (orchestration/warehouse/landing_files.py) never enter the inventory: the update hands them
back to be recorded in the ledger. A file that cannot be read by the read pass has no type, so the ingest that claims
unrecognised files records why.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from orchestration.ijw.bsn import redact_bsns
from orchestration.warehouse.landing_files import OddEntry, list_landing, path_order
from orchestration.warehouse.load import take_listing
from orchestration.warehouse.progress import Progress
from orchestration.warehouse.read_pass import READ_IN_PROCESSES_FROM, ReadSettings, read_into_stage


@dataclass(frozen=True)
class InventoryUpdate:
    files: int
    listed: int  # new or changed files entered in this update
    removed: int  # files no longer in the landing directory
    odd_entries: list[OddEntry]  # entries named like messages that are no regular file in the landing, to record
    folder_problem: str | None = None  # why landing_dir/ijw itself was not listed, for a warning


def _prefix(landing_dir: Path) -> str:
    return os.path.join(landing_dir / "ijw", "")


def update_inventory(con: duckdb.DuckDBPyConnection, landing_dir: Path) -> InventoryUpdate:
    """Bring the inventory in line with landing_dir/ijw (load.take_listing): a new or changed file enters it with no
    type until the read pass reads it (read_unread), a vanished one leaves it."""
    listing = list_landing(landing_dir, "ijw", ".xml", recursive=True)
    listed, removed = take_listing(con, listing.files, prefix=_prefix(landing_dir))
    return InventoryUpdate(len(listing.files), listed, removed, listing.odd, listing.folder_problem)


def read_unread(
    con: duckdb.DuckDBPyConnection,
    settings: ReadSettings,
    message_types: tuple[str | None, ...],
    processes: int = 1,
    say: Callable[[str], None] = lambda _line: None,
) -> int:
    """Every inventoried file the ingest has yet to read whose type is not known yet or among message_types read once
    into the stage (read_pass.read_into_stage), in up to `processes` processes when there are many, and its type and
    sender kept in the inventory; returns how many files were read. say hears how far a long read is (progress.py)."""
    unread = con.execute(
        """
        select file_path, size_bytes from audit.landed_files
        where starts_with(file_path, ?) and file_sha256 is null
          and (message_type is null or list_contains(?::varchar[], message_type))
        """,
        [_prefix(settings.landing_dir), [kind for kind in message_types if kind is not None]],
    ).fetchall()
    files = sorted(unread, key=lambda file: path_order(file[0]))
    progress = Progress("iJw files read", len(files), say)
    spread = processes if len(files) >= READ_IN_PROCESSES_FROM else 1
    heads = read_into_stage(files, settings, spread, progress.add)
    read = pd.DataFrame(
        {
            "file_path": [path for path, _size in files],
            "message_type": [head.message_type for head in heads],
            # A valid sender is an AGB code (8 digits) or a gemeente code (4): a BSN written there is no sender to keep.
            "sender": [redact_bsns(head.sender) for head in heads],
        }
    )
    con.register("read_heads", read)
    try:
        con.execute(
            """
            update audit.landed_files k set message_type = r.message_type, sender = r.sender
            from read_heads r where k.file_path = r.file_path
            """
        )
    finally:
        con.unregister("read_heads")
    return len(files)


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

"""Opening the warehouse's DuckDB file, and holding it open through a step that opens it many times.

Opening the file loads its catalog: about 0.1 s for the hundreds of tables a built warehouse holds, which a wave of
checks paid five times per validated suite (docs/benchmarks.md). A connection opened while another connection of
this process is open on the same file shares that database and costs about a millisecond, but only with the same
configuration: so while a step holds the file (`held`), every connection to it opens for writing as the holder's
does, read-only or not. The step writes the warehouse anyway (it holds the writer pool). A process of its own can
open the file only once the hold is let go (`released`): DuckDB lets one process write a file, or several read it.

A file that does not exist yet is made under another name and linked into place whole (`_create`): DuckDB refuses to
open a file a kill cut short within its first headers, which would stop every later run.
"""

from __future__ import annotations

import glob
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb


@dataclass
class _Hold:
    database: str
    memory_limit: str
    connection: duckdb.DuckDBPyConnection | None


_this_thread = threading.local()
"""`hold`: this thread's _Hold, if any (the checks of a step run in its thread)."""


def connect(database: Path, memory_limit: str, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A connection to the DuckDB file: read-only when asked, unless this step holds the file open."""
    hold = getattr(_this_thread, "hold", None)
    held = hold is not None and hold.connection is not None and hold.database == str(database)
    return _open(str(database), memory_limit, read_only=read_only and not held)


@contextmanager
def held(database: Path, memory_limit: str) -> Iterator[None]:
    """Keeps the file open for writing while the block runs, so that connect() reuses the open database."""
    hold = _Hold(str(database), memory_limit, _open(str(database), memory_limit, read_only=False))
    outer, _this_thread.hold = getattr(_this_thread, "hold", None), hold
    try:
        yield
    finally:
        _this_thread.hold = outer
        if hold.connection is not None:
            hold.connection.close()


@contextmanager
def released(database: Path) -> Iterator[None]:
    """Lets go of this step's hold on the file while the block runs (another process opens it), then takes it again."""
    hold = getattr(_this_thread, "hold", None)
    if hold is None or hold.connection is None or hold.database != str(database):
        yield
        return
    hold.connection.close()
    hold.connection = None
    try:
        yield
    finally:
        hold.connection = _open(hold.database, hold.memory_limit, read_only=False)


def _open(database: str, memory_limit: str, read_only: bool) -> duckdb.DuckDBPyConnection:
    if not read_only and not database.startswith(":memory:") and not os.path.exists(database):
        _create(Path(database))
    return duckdb.connect(database, read_only=read_only, config={"memory_limit": memory_limit})


def _create(database: Path) -> None:
    """An empty DuckDB file at `database`, there whole or not at all. Linking, unlike renaming, never replaces a file
    another process made meanwhile; what a killed creation left under its own name is removed first."""
    for left in database.parent.glob(f"{glob.escape(database.name)}.creating-*"):
        left.unlink(missing_ok=True)
    creating = database.with_name(f"{database.name}.creating-{os.getpid()}")
    duckdb.connect(str(creating)).close()
    try:
        os.link(creating, database)
    except FileExistsError:
        pass
    except OSError:  # a file system without hard links: renamed instead, unless the file appeared meanwhile
        if not database.exists():
            os.replace(creating, database)
    finally:
        creating.unlink(missing_ok=True)

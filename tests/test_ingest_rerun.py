"""A re-run costs nothing (issue 24): the ingest opens a landed file once per version and writes its ledger row once,
remembering what it read in the landing inventory in the transaction of that ledger row.

Which files are opened is watched through Python's audit hook on `open` (os.open and open() both raise it), so the
tests do not depend on which function of the ingest opens a file.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import duckdb
import pytest

from orchestration.defs.ingest.budgets import BUDGET_SOURCES
from orchestration.ijw.pseudonym import Pseudonymiser
from orchestration.warehouse import load, read_pass
from orchestration.warehouse.ijw_messages import DECLARATIONS
from orchestration.warehouse.landing_files import OddEntry
from orchestration.warehouse.load import LedgerEntry, ingest_listing
from orchestration.warehouse.schema import ensure_schema
from tests import ijw_landing
from tests.conftest import REPO_ROOT, copy_sample_ijw
from tests.ijw_landing import claimed_files, take_inventory
from tests.jw323_documents import VALID_BSN, client, document, prestatie

PSEUDONYMISER = Pseudonymiser(b"rerun-test-key-0123456789")

_watched: list[tuple[str, list[str]]] = []
"""(folder, paths opened under it) while a test watches; the audit hook cannot be removed, so it is idle otherwise."""


def _on_audit(event: str, args: tuple) -> None:
    if event != "open" or not _watched or not isinstance(args[0], str | bytes | os.PathLike):
        return
    path = os.fsdecode(args[0])
    for folder, opened in _watched:
        if path.startswith(folder):
            opened.append(path)


sys.addaudithook(_on_audit)


@pytest.fixture
def opened():
    """opened(landing) starts recording the files opened under landing and returns the list they go to."""

    def watch(landing: Path) -> list[str]:
        paths: list[str] = []
        _watched.append((str(landing), paths))
        return paths

    yield watch
    _watched.clear()


def ingest_all(con: duckdb.DuckDBPyConnection, landing: Path, run_id: str) -> list[LedgerEntry]:
    """What the inventory and the five ingest assets do in a run, in one process."""
    return ijw_landing.ingest_all(con, landing, PSEUDONYMISER, run_id)


def ledger(con: duckdb.DuckDBPyConnection, run_id: str) -> list[tuple[str, str]]:
    rows = con.execute("select file_path, status from audit.ingest_ledger where run_id = ? order by 1", [run_id])
    return [(Path(path).name, status) for path, status in rows.fetchall()]


def declaration(reference: str, cents: int) -> bytes:
    return document(client(VALID_BSN, prestatie(reference, cents))).encode()


def land(landing: Path, name: str, content: bytes) -> Path:
    path = landing / "ijw" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return path


def test_a_rerun_over_the_sample_opens_no_file_and_writes_no_ledger_row(tmp_path, warehouse, opened):
    landing = tmp_path / "landing"
    files = copy_sample_ijw(landing)
    first = ingest_all(warehouse, landing, "first")
    assert len(first) == len(files)
    assert {entry.status for entry in first} == {"loaded", "rejected"}

    reads = opened(landing)
    assert ingest_all(warehouse, landing, "second") == []

    assert reads == []
    assert warehouse.execute("select count(*) from audit.ingest_ledger where run_id = 'second'").fetchone() == (0,)
    marked = warehouse.execute(
        "select count(*) from audit.landed_files k join audit.ingest_ledger l using (file_path, file_sha256)"
    ).fetchone()
    assert marked == (len(files),), "each file's inventory row holds the sha256 its ledger row names"


def test_a_file_whose_bytes_change_but_not_its_size_and_mtime_is_not_read_again(tmp_path, warehouse, opened):
    landing = tmp_path / "landing"
    path = land(landing, "d.xml", declaration("R1", 5000))
    assert ledger(warehouse, "first") == [] and [e.status for e in ingest_all(warehouse, landing, "first")] == [
        "loaded"
    ]
    status = path.stat()
    swapped = declaration("R1", 7000)
    assert len(swapped) == status.st_size and swapped != path.read_bytes()
    path.write_bytes(swapped)
    os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns))

    reads = opened(landing)
    assert ingest_all(warehouse, landing, "second") == []

    # Trusted as make and rsync trust size and mtime (docs/architecture.md): the first content stays loaded.
    assert reads == []
    assert warehouse.execute("select sum(amount_cents) from raw.ijw_declaration_lines").fetchone() == (5000,)


def test_a_changed_file_is_read_again_and_a_copy_under_a_new_name_is_a_duplicate(tmp_path, warehouse, opened):
    landing = tmp_path / "landing"
    path = land(landing, "a.xml", declaration("R1", 5000))
    land(landing, "b.xml", declaration("R2", 6000))
    ingest_all(warehouse, landing, "first")

    shutil.copy(path, landing / "ijw" / "c-copy-of-a.xml")
    path.write_bytes(declaration("R3", 12345))  # another size
    status = (landing / "ijw" / "b.xml").stat()
    os.utime(landing / "ijw" / "b.xml", ns=(status.st_atime_ns, status.st_mtime_ns + 1_000_000_000))  # same bytes
    reads = opened(landing)
    ingest_all(warehouse, landing, "second")

    assert ledger(warehouse, "second") == [
        ("a.xml", "loaded"),
        ("b.xml", "duplicate"),
        ("c-copy-of-a.xml", "duplicate"),
    ]
    assert {Path(read).name for read in reads} == {"a.xml", "b.xml", "c-copy-of-a.xml"}
    reads.clear()
    assert ingest_all(warehouse, landing, "third") == []
    assert reads == []


def test_a_run_that_dies_between_batches_leaves_the_rest_to_be_read_by_the_next(
    tmp_path, warehouse, opened, monkeypatch
):
    landing = tmp_path / "landing"
    for number in range(5):
        land(landing, f"{number}.xml", declaration(f"R{number}", 1000 + number))
    # A kill between batches, in process: the second batch's transaction never commits.
    real_load, batches = load.load_parsed_files, []

    def load_then_die(*args, **kwargs):
        batches.append(args[1])
        if len(batches) == 2:
            raise KeyboardInterrupt
        return real_load(*args, **kwargs)

    monkeypatch.setattr(load, "load_parsed_files", load_then_die)
    take_inventory(warehouse, landing)
    with pytest.raises(KeyboardInterrupt):
        DECLARATIONS.ingest_files(
            warehouse,
            claimed_files(warehouse, DECLARATIONS, landing),
            PSEUDONYMISER,
            "killed",
            batch_files=2,
            landing_dir=landing,
        )
    monkeypatch.undo()
    assert ledger(warehouse, "killed") == [("0.xml", "loaded"), ("1.xml", "loaded")]

    reads = opened(landing)
    ingest_all(warehouse, landing, "next")

    assert ledger(warehouse, "next") == [("2.xml", "loaded"), ("3.xml", "loaded"), ("4.xml", "loaded")]
    assert {Path(read).name for read in reads} == {"2.xml", "3.xml", "4.xml"}
    (unread,) = warehouse.execute("select count(*) from audit.landed_files where file_sha256 is null").fetchone()
    assert unread == 0


def test_a_file_that_could_not_be_read_is_looked_at_again(tmp_path, warehouse, monkeypatch):
    """No content was read, so nothing is marked: a fixed permission changes neither size nor mtime."""
    landing = tmp_path / "landing"
    land(landing, "d.xml", declaration("R1", 5000))
    # Unreadable once (as a file without read permission is; root reads it anyway, so the problem is raised here).
    monkeypatch.setattr(read_pass, "read_landed", unreadable)
    assert [entry.status for entry in ingest_all(warehouse, landing, "first")] == ["rejected"]
    monkeypatch.undo()

    assert [entry.status for entry in ingest_all(warehouse, landing, "second")] == ["loaded"]


def unreadable(path, _root, _max_bytes):
    raise OddEntry(path, "FILE_UNREADABLE", "cannot be opened (Permission denied)", f"identity of {path}")


def test_an_inventory_without_marks_is_read_once_more(tmp_path, warehouse):
    """The inventory is a cache: rebuilt (an upgrade, or deleted by hand), it costs one read of every file, each a
    duplicate, and nothing is loaded twice."""
    landing = tmp_path / "landing"
    land(landing, "d.xml", declaration("R1", 5000))
    ingest_all(warehouse, landing, "first")
    warehouse.execute("drop table audit.landed_files")
    ensure_schema(warehouse)

    assert [entry.status for entry in ingest_all(warehouse, landing, "second")] == ["duplicate"]
    assert ingest_all(warehouse, landing, "third") == []


def budgets_and_iv3(con: duckdb.DuckDBPyConnection, landing: Path, run_id: str) -> list[LedgerEntry]:
    """What the ingest step does for the Iv3 and region budget assets in a run."""
    return [
        entry
        for source in BUDGET_SOURCES
        for entry in ingest_listing(
            con, source.listed(source.folder_listing(landing)), source.source, run_id, landing, print
        )
    ]


def test_budget_and_cbs_files_are_read_once_per_version(tmp_path, warehouse, opened):
    landing = tmp_path / "landing"
    shutil.copytree(REPO_ROOT / "seeds" / "sample" / "budgets", landing / "budgets")
    first = budgets_and_iv3(warehouse, landing, "first")
    assert len(first) == 3 and {entry.status for entry in first} == {"loaded"}

    reads = opened(landing)
    assert budgets_and_iv3(warehouse, landing, "second") == []
    assert reads == []

    csv = next((landing / "budgets").glob("*.csv"))
    shutil.copy(csv, landing / "budgets" / "copy.csv")
    status = csv.stat()
    os.utime(csv, ns=(status.st_atime_ns, status.st_mtime_ns + 1_000_000_000))
    budgets_and_iv3(warehouse, landing, "third")

    assert ledger(warehouse, "third") == [("copy.csv", "duplicate"), (csv.name, "duplicate")]
    assert {Path(read).name for read in reads} == {"copy.csv", csv.name}

"""The file system is input too (issue 26): whatever sits in a landing folder, the ingest neither crashes nor hangs
nor reads outside the landing directory; each odd entry gets one ledger row ('rejected', keyed 'unread:...') and one
file-level quarantine row with its reason code, and the good files beside it load.

Each test builds its entries in a temporary landing directory (fifos, sockets, links, names that are not UTF-8,
folders named like files) and runs the library code the assets run. A watchdog turns a hang into a failure.
"""

from __future__ import annotations

import errno
import os
import signal
import socket
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.budgets.region_budget import MESSAGE_TYPE as BUDGET_MESSAGE_TYPE
from orchestration.cbs.datasets import KERNCIJFERS
from orchestration.defs.ingest.budgets import IV3_KEY, REGION_BUDGET_KEY, REGION_BUDGET_SOURCE
from orchestration.defs.ingest.cbs import CBS_SOURCES
from orchestration.defs.ingest.cbs_and_budgets import cbs_and_budgets
from orchestration.defs.ingest.ijw import ijw_messages
from orchestration.defs.quality.reconciliation import reconciliation_checks
from orchestration.defs.quality.wave import check_wave
from orchestration.defs.resources import CbsResource, WarehouseResource
from orchestration.ijw.pseudonym import Pseudonymiser
from orchestration.landing import fill_from_sample_if_empty
from orchestration.settings import SAMPLE_LANDING_DIR
from orchestration.warehouse import landing_files, landing_inventory
from orchestration.warehouse.ijw_messages import IJW_INGESTS
from orchestration.warehouse.landing_files import UNREAD_PREFIX, list_landing, printable_path
from orchestration.warehouse.load import ingest_listing
from tests.hostile.allocation_documents import allocation
from tests.hostile.documents import budget_csv, kerncijfer, kerncijfers_snapshot
from tests.ijw_landing import claimed_files, ingest_landing, take_inventory
from tests.test_hostile_input import IJW_TABLES, assert_invariants

KERNCIJFERS_SOURCE = next(source for source in CBS_SOURCES if source.asset.table == KERNCIJFERS.raw_table)
PSEUDONYMISER = Pseudonymiser(b"landing-files-test-key-01234567")
RUN = "fs-run"


@pytest.fixture(autouse=True)
def no_hang():
    """A read that blocks (a fifo opened for reading) fails the test instead of hanging the suite."""

    def hung(_signal, _frame):
        raise TimeoutError("the ingest hung on a landing entry")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(120)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def good_message(number: int) -> bytes:
    """A valid JW301 allocation (it needs no earlier message to pass the door); the allocation number makes each
    content (and so its sha256) distinct."""
    return allocation(number=str(number))


def write(path: Path | bytes, content: bytes) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(content)


def ingest_ijw(con, landing: Path) -> None:
    for ingest in IJW_INGESTS:
        ingest_landing(con, ingest, landing, PSEUDONYMISER, RUN)


def ledger(con) -> dict[str, tuple[str, str]]:
    """file_path -> (status, file_sha256) of the last run's rows, which must be one per path."""
    rows = con.execute("select file_path, status, file_sha256 from audit.ingest_ledger order by all").fetchall()
    paths = [path for path, _, _ in rows]
    assert len(paths) == len(set(paths)), f"one ledger row per entry: {paths}"
    return {path: (status, sha) for path, status, sha in rows}


def file_rows(con, path: str) -> list[tuple[str, str]]:
    """(reason_code, reason) of the file-level quarantine rows naming path."""
    return con.execute(
        "select reason_code, reason from audit.quarantine where file_path = ? and record_ref is null", [path]
    ).fetchall()


def assert_odd(con, path: str | Path, reason_code: str, says: str = "") -> None:
    printable = printable_path(path)
    status, sha = ledger(con)[printable]
    assert (status, sha[: len(UNREAD_PREFIX)]) == ("rejected", UNREAD_PREFIX), printable
    [(code, reason)] = file_rows(con, printable)
    assert code == reason_code, (printable, reason)
    assert reason.startswith(f"{printable}: "), reason
    assert says in reason, reason


def assert_loaded(con, *paths: Path) -> None:
    entries = ledger(con)
    for path in paths:
        status, sha = entries[str(path)]
        assert status == "loaded" and not sha.startswith(UNREAD_PREFIX), (path, status)
    loaded = con.execute("select count(*) from raw.ijw_allocations").fetchone()[0]
    assert loaded == len(paths), "each good allocation file loads its one product, nothing else loads"


def test_odd_ijw_entries_are_recorded_once_and_the_good_files_beside_them_load(tmp_path, warehouse):
    landing, outside = tmp_path / "landing", tmp_path / "elsewhere"
    ijw = landing / "ijw"
    good = [ijw / "good.xml", ijw / "2024" / "UPPER.XML", ijw / "folder.xml" / "inside.Xml"]
    for number, path in enumerate(good):
        write(path, good_message(700100 + number))
    # What lies outside the landing directory, which no link may bring in.
    write(outside / "secret.xml", good_message(700900))
    write(outside / "folder" / "secret.xml", good_message(700901))
    os.mkfifo(ijw / "fifo.xml")
    os.symlink(outside / "secret.xml", ijw / "out.xml")
    os.symlink(outside / "folder", ijw / "linked-folder")
    os.symlink(ijw / "good.xml", ijw / "link-inside.xml")
    os.symlink(ijw / "2024", ijw / "linked-inside-folder")
    os.symlink(ijw / "nothing.xml", ijw / "dangling.xml")
    os.symlink(ijw / "loop.xml", ijw / "loop.xml")
    os.link(ijw / "good.xml", ijw / "hard-link.xml")  # a regular file inside the landing: read, found a duplicate
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(os.path.relpath(ijw / "socket.xml"))  # relative: a socket path is capped at 108 bytes
        latin1 = os.fsencode(ijw) + b"/caf\xe9.xml"
        write(latin1, good_message(700200))
        write(ijw / "two\nlines.xml", good_message(700201))
        write(ijw / "evil\u202egpj.xml", good_message(700202))
        write(ijw / "notes.txt", b"not a message, not a data file name: ignored")

        ingest_ijw(warehouse, landing)

    assert_loaded(warehouse, *good)
    assert_odd(warehouse, ijw / "fifo.xml", "FILE_NOT_REGULAR", "a fifo")
    assert_odd(warehouse, ijw / "socket.xml", "FILE_NOT_REGULAR", "a socket")
    assert_odd(warehouse, ijw / "out.xml", "FILE_OUTSIDE_LANDING", str(outside / "secret.xml"))
    assert_odd(warehouse, ijw / "linked-folder", "FILE_OUTSIDE_LANDING", "not followed")
    assert_odd(warehouse, ijw / "link-inside.xml", "FILE_NOT_REGULAR", "links are not followed")
    assert_odd(warehouse, ijw / "linked-inside-folder", "FILE_NOT_REGULAR", "a symbolic link to a folder")
    assert_odd(warehouse, ijw / "dangling.xml", "FILE_NOT_REGULAR", "nothing readable")
    assert_odd(warehouse, ijw / "loop.xml", "FILE_NOT_REGULAR", "nothing readable")
    assert_odd(warehouse, latin1, "FILE_NAME_INVALID", "not valid UTF-8")
    assert_odd(warehouse, ijw / "two\nlines.xml", "FILE_NAME_INVALID", "control or format character")
    assert_odd(warehouse, ijw / "evil\u202egpj.xml", "FILE_NAME_INVALID", "control or format character")
    # The names are stored escaped, in valid UTF-8 without control characters.
    assert printable_path(latin1).endswith("/caf\\xe9.xml")
    assert printable_path(ijw / "two\nlines.xml").endswith("/two\\nlines.xml")
    assert printable_path(ijw / "evil\u202egpj.xml").endswith("/evil\\u202egpj.xml")
    assert ledger(warehouse)[str(ijw / "hard-link.xml")][0] == "duplicate"
    assert len(ledger(warehouse)) == len(good) + 12, "notes.txt is no data file and has no row"
    assert_invariants(warehouse, IJW_TABLES)

    # The next run reads none of the regular files it read (issue 24: the good ones and the hard link), and records
    # each odd entry again only as a duplicate: no second rejection, no new quarantine row.
    quarantined = warehouse.execute("select count(*) from audit.quarantine").fetchone()
    for ingest in IJW_INGESTS:
        ingest_landing(warehouse, ingest, landing, PSEUDONYMISER, "second-run")
    statuses = warehouse.execute(
        "select status, count(*) from audit.ingest_ledger where run_id = 'second-run' group by all order by all"
    ).fetchall()
    assert statuses == [("duplicate", 11)]  # the eleven odd entries above
    assert warehouse.execute("select count(*) from audit.quarantine").fetchone() == quarantined


def test_a_device_file_is_never_opened(tmp_path, warehouse, monkeypatch):
    landing = tmp_path / "landing"
    write(landing / "ijw" / "good.xml", good_message(700300))
    device = landing / "ijw" / "device.xml"
    if os.geteuid() == 0:
        os.mknod(device, 0o600 | 0o020000, os.makedev(1, 3))  # a character device like /dev/null
    else:
        os.symlink("/dev/null", device)  # only root may create a device; a link to one leads out and is refused
    opened: list[str] = []
    real_open = os.open
    monkeypatch.setattr(
        landing_files.os, "open", lambda path, *args, **kw: opened.append(str(path)) or real_open(path, *args, **kw)
    )

    ingest_ijw(warehouse, landing)

    assert str(device) not in opened
    if os.geteuid() == 0:
        assert_odd(warehouse, device, "FILE_NOT_REGULAR", "a device file")
    else:
        assert_odd(warehouse, device, "FILE_OUTSIDE_LANDING", "a symbolic link to /dev/null")
    assert_loaded(warehouse, landing / "ijw" / "good.xml")


def test_an_unreadable_file_is_rejected_and_the_others_load(tmp_path, warehouse, monkeypatch):
    landing = tmp_path / "landing"
    good, locked, denied = (landing / "ijw" / name for name in ("good.xml", "locked.xml", "denied.xml"))
    write(good, good_message(700400))
    write(locked, good_message(700401))
    write(denied, good_message(700402))
    locked.chmod(0)
    # Root reads a file whatever its mode (as in CI), so unreadability is also simulated where the file is opened.
    real_open = os.open

    def refusing(path, *args, **kwargs):
        if str(path) == str(denied):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(landing_files.os, "open", refusing)

    ingest_ijw(warehouse, landing)

    assert_odd(warehouse, denied, "FILE_UNREADABLE", "Permission denied")
    if os.geteuid() == 0:
        assert_loaded(warehouse, good, locked)
    else:
        assert_odd(warehouse, locked, "FILE_UNREADABLE", "Permission denied")
        assert_loaded(warehouse, good)
    assert_invariants(warehouse, IJW_TABLES)


def test_an_unlistable_folder_is_recorded(tmp_path, warehouse, monkeypatch):
    landing = tmp_path / "landing"
    write(landing / "ijw" / "good.xml", good_message(700450))
    write(landing / "ijw" / "closed" / "hidden.xml", good_message(700451))
    real_scandir = os.scandir

    def refusing(path):
        if str(path).endswith("closed"):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(landing_files.os, "scandir", refusing)

    ingest_ijw(warehouse, landing)

    assert_odd(warehouse, landing / "ijw" / "closed", "FILE_UNREADABLE", "a folder that cannot be listed")
    assert_loaded(warehouse, landing / "ijw" / "good.xml")


def test_a_folder_deeper_than_the_longest_path_is_recorded(tmp_path, warehouse):
    landing = tmp_path / "landing"
    write(landing / "ijw" / "good.xml", good_message(701100))
    # Folders of 200-character names, 25 deep: their path (over 5,000 bytes) is longer than the system opens by name.
    folder = os.open(landing / "ijw", os.O_RDONLY | os.O_DIRECTORY)
    names = [f"{depth:02}" + "d" * 198 for depth in range(25)]
    for name in names:
        os.mkdir(name, dir_fd=folder)
        inner = os.open(name, os.O_RDONLY | os.O_DIRECTORY, dir_fd=folder)
        os.close(folder)
        folder = inner
    deepest = os.open("deep.xml", os.O_WRONLY | os.O_CREAT, dir_fd=folder)
    os.write(deepest, good_message(701101))
    os.close(deepest)
    os.close(folder)

    ingest_ijw(warehouse, landing)

    [(path, reason)] = warehouse.execute(
        "select file_path, reason from audit.quarantine where reason_code = 'FILE_UNREADABLE'"
    ).fetchall()
    assert len(path) > 4096 and path.startswith(str(landing / "ijw" / names[0]))
    assert reason.endswith(": cannot be examined (File name too long)")
    assert_loaded(warehouse, landing / "ijw" / "good.xml")


def _inventoried(con, landing: Path) -> dict[str, Path]:
    take_inventory(con, landing)
    return {path.name: path for ingest in IJW_INGESTS for path in claimed_files(con, ingest, landing)}


def _ingest_inventoried(con, landing: Path) -> None:
    for ingest in IJW_INGESTS:
        ingest.ingest_files(con, claimed_files(con, ingest, landing), PSEUDONYMISER, RUN, landing_dir=landing)


def test_entries_that_change_between_listing_and_reading_are_recorded(tmp_path, warehouse):
    landing, outside = tmp_path / "landing", tmp_path / "elsewhere"
    ijw = landing / "ijw"
    names = ["good.xml", "vanishing.xml", "becomes-fifo.xml", "becomes-link.xml", "sub/swapped.xml"]
    for number, name in enumerate(names):
        write(ijw / name, good_message(700500 + number))
    write(outside / "swapped.xml", good_message(700599))
    assert set(_inventoried(warehouse, landing)) == {Path(name).name for name in names}

    # Between the inventory and the ingest: one file goes, one becomes a fifo, one a link leading out, and the
    # folder of another is swapped for a link to a folder outside that holds a file of the same name.
    (ijw / "vanishing.xml").unlink()
    (ijw / "becomes-fifo.xml").unlink()
    os.mkfifo(ijw / "becomes-fifo.xml")
    (ijw / "becomes-link.xml").unlink()
    os.symlink(outside / "swapped.xml", ijw / "becomes-link.xml")
    (ijw / "sub" / "swapped.xml").unlink()
    (ijw / "sub").rmdir()
    os.symlink(outside, ijw / "sub")
    _ingest_inventoried(warehouse, landing)

    assert_odd(warehouse, ijw / "vanishing.xml", "FILE_VANISHED", "gone")
    assert_odd(warehouse, ijw / "becomes-fifo.xml", "FILE_NOT_REGULAR", "a fifo")
    assert_odd(warehouse, ijw / "becomes-link.xml", "FILE_OUTSIDE_LANDING", "outside the landing directory")
    assert_odd(warehouse, ijw / "sub" / "swapped.xml", "FILE_OUTSIDE_LANDING", str(outside / "swapped.xml"))
    assert_loaded(warehouse, ijw / "good.xml")
    assert_invariants(warehouse, IJW_TABLES)


def test_a_file_growing_while_it_is_read_is_rejected_then_loads_once_it_is_complete(tmp_path, warehouse, monkeypatch):
    landing = tmp_path / "landing"
    growing = landing / "ijw" / "growing.xml"
    write(growing, good_message(700600))
    real_read = landing_files._read_at_most

    def appending(handle, limit):
        with open(growing, "ab") as more:
            more.write(b"<!-- still uploading -->")
        return real_read(handle, limit)

    monkeypatch.setattr(landing_files, "_read_at_most", appending)
    ingest_ijw(warehouse, landing)
    assert_odd(warehouse, growing, "FILE_CHANGED", "changed while it was read")

    monkeypatch.undo()
    for ingest in IJW_INGESTS:
        ingest_landing(warehouse, ingest, landing, PSEUDONYMISER, "next-run")
    loaded = warehouse.execute(
        "select status from audit.ingest_ledger where run_id = 'next-run' and file_path = ?", [str(growing)]
    ).fetchall()
    assert loaded == [("loaded",)]
    assert warehouse.execute("select count(*) from raw.ijw_allocations").fetchone() == (1,)


def test_a_huge_sparse_file_is_refused_without_reading_it(tmp_path, warehouse, monkeypatch):
    landing = tmp_path / "landing"
    huge = landing / "ijw" / "huge.xml"
    write(huge, b"")
    os.truncate(huge, 1 << 40)  # a terabyte of holes: hashing it alone would take many minutes
    write(landing / "ijw" / "good.xml", good_message(700700))
    reads: list[int] = []
    real_read = landing_files._read_at_most
    monkeypatch.setattr(
        landing_files, "_read_at_most", lambda handle, limit: reads.append(limit) or real_read(handle, limit)
    )

    ingest_ijw(warehouse, landing)

    assert_odd(warehouse, huge, "FILE_TOO_LARGE", f"the file is {1 << 40} bytes")
    assert max(reads) <= 25 * 1024 * 1024 + 1, "no read beyond the iJw cap"
    assert_loaded(warehouse, landing / "ijw" / "good.xml")


def test_a_landing_directory_that_is_a_link_loads_and_a_source_folder_leading_out_is_refused(tmp_path, warehouse):
    real, linked, outside = tmp_path / "real-landing", tmp_path / "landing", tmp_path / "elsewhere"
    write(real / "ijw" / "good.xml", good_message(700800))
    os.symlink(real, linked)  # how a deployment may point WAREHOUSE_LANDING_DIR at a mounted volume
    ingest_ijw(warehouse, linked)
    assert_loaded(warehouse, linked / "ijw" / "good.xml")

    other = tmp_path / "other-landing"
    write(outside / "ijw" / "secret.xml", good_message(700801))
    other.mkdir()
    os.symlink(outside / "ijw", other / "ijw")
    update = landing_inventory.update_inventory(warehouse, other)
    assert update.files == 0 and "leads out of the landing directory" in update.folder_problem


def _cbs_and_budgets(con, landing: Path) -> list[str]:
    """What the step of the CBS kerncijfers and the region budget does for those two, with its warnings."""
    warnings: list[str] = []
    for source in (KERNCIJFERS_SOURCE, REGION_BUDGET_SOURCE):
        listed = source.listed(source.folder_listing(landing))
        ingest_listing(con, listed, source.source, RUN, landing, warnings.append)
    return warnings


def test_odd_cbs_and_budget_entries_are_recorded_and_the_good_files_load(tmp_path, warehouse, monkeypatch):
    landing, outside = tmp_path / "landing", tmp_path / "elsewhere"
    cbs, budgets = landing / "cbs", landing / "budgets"
    write(cbs / "85099NED_2024.JSON", kerncijfers_snapshot([kerncijfer()]))
    write(budgets / "REGION.CSV", budget_csv())
    write(outside / "85099NED_secret.json", kerncijfers_snapshot([kerncijfer(value=1)]))
    os.mkfifo(cbs / "85099NED_fifo.json")
    (cbs / "85099NED_folder.json").mkdir()
    os.symlink(outside / "85099NED_secret.json", cbs / "85099NED_out.json")
    write(os.fsencode(cbs) + b"/85099NED_\xff.json", kerncijfers_snapshot([kerncijfer(value=2)]))
    write(cbs / "unclaimed.json", b"{}")  # no dataset claims it by name, as before
    os.mkfifo(budgets / "fifo.csv")
    (budgets / "folder.csv").mkdir()
    write(budgets / "denied.csv", budget_csv("GM0453;2024;Ambulant;10,00"))
    # Zero bytes: the snapshot is rejected by its reader; the empty CSV is the same (empty) content, so a duplicate.
    write(cbs / "85099NED_empty.json", b"")
    write(budgets / "empty.csv", b"")
    real_open = os.open

    def refusing(path, *args):
        if str(path).endswith("denied.csv"):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, *args)

    monkeypatch.setattr(landing_files.os, "open", refusing)

    warnings = _cbs_and_budgets(warehouse, landing)

    assert ledger(warehouse)[str(cbs / "85099NED_2024.JSON")][0] == "loaded"
    assert ledger(warehouse)[str(budgets / "REGION.CSV")][0] == "loaded"
    assert warehouse.execute(f"select count(*) from {KERNCIJFERS.raw_table}").fetchone() == (1,)  # noqa: S608
    assert warehouse.execute("select count(*) from raw.budget_region_lines").fetchone() == (1,)
    assert_odd(warehouse, cbs / "85099NED_fifo.json", "FILE_NOT_REGULAR", "a fifo")
    assert_odd(warehouse, cbs / "85099NED_folder.json", "FILE_NOT_REGULAR", "a folder")
    assert_odd(warehouse, cbs / "85099NED_out.json", "FILE_OUTSIDE_LANDING", "not followed")
    assert_odd(warehouse, os.fsencode(cbs) + b"/85099NED_\xff.json", "FILE_NAME_INVALID", "not valid UTF-8")
    assert_odd(warehouse, budgets / "fifo.csv", "FILE_NOT_REGULAR", "a fifo")
    assert_odd(warehouse, budgets / "folder.csv", "FILE_NOT_REGULAR", "a folder")
    assert_odd(warehouse, budgets / "denied.csv", "FILE_UNREADABLE", "Permission denied")
    assert ledger(warehouse)[str(cbs / "85099NED_empty.json")][0] == "rejected"
    assert file_rows(warehouse, str(cbs / "85099NED_empty.json"))[0][0] == "SNAPSHOT_NOT_JSON"
    assert ledger(warehouse)[str(budgets / "empty.csv")][0] == "duplicate"
    assert len(ledger(warehouse)) == 11
    odd = [path for path, (status, _sha) in ledger(warehouse).items() if status == "rejected"]
    assert len(warnings) == len(odd) == 8
    assert all(any(warning.startswith(f"{path}: ") for warning in warnings) for path in odd), warnings
    assert_invariants(
        warehouse, {"CBS:85099NED": KERNCIJFERS.raw_table, BUDGET_MESSAGE_TYPE: "raw.budget_region_lines"}
    )


def test_the_listing_matches_extensions_in_any_case_and_sorts_by_path(tmp_path):
    landing = tmp_path / "landing"
    for name in ["b.xml", "a/B.XML", "a.Xml", "c.xml.part", "d.json"]:
        write(landing / "ijw" / name, b"x")

    listing = list_landing(landing, "ijw", ".xml", recursive=True)

    assert [Path(file.path).relative_to(landing / "ijw").as_posix() for file in listing.files] == [
        "a/B.XML",
        "a.Xml",
        "b.xml",
    ]
    assert listing.odd == [] and listing.folder_problem is None
    assert list_landing(landing, "absent", ".xml", recursive=False) == list_landing(tmp_path / "no", "x", ".x", False)


def test_make_run_fills_only_a_landing_that_holds_nothing_but_folders(tmp_path, monkeypatch):
    landing = tmp_path / "landing"
    monkeypatch.setenv("WAREHOUSE_LANDING_DIR", str(landing))
    (landing / "ijw" / "2024").mkdir(parents=True)
    os.mkfifo(landing / "ijw" / "2024" / "upload.xml")  # a delivery on its way in, not yet a regular file
    os.symlink(tmp_path / "nowhere", landing / "cbs")

    fill_from_sample_if_empty()

    assert sorted(path.name for path in landing.rglob("*")) == ["2024", "cbs", "ijw", "upload.xml"]

    (landing / "ijw" / "2024" / "upload.xml").unlink()
    (landing / "cbs").unlink()
    fill_from_sample_if_empty()

    shipped = sorted(path.relative_to(SAMPLE_LANDING_DIR) for path in SAMPLE_LANDING_DIR.rglob("*") if path.is_file())
    assert shipped and all((landing / path).is_file() for path in shipped)


def test_the_ingest_assets_record_odd_entries_and_pass_their_reconciliation_checks(warehouse_env, monkeypatch):
    warehouse_dir, landing = warehouse_env
    monkeypatch.setenv("CBS_MODE", "offline")
    monkeypatch.setenv("WAREHOUSE_INGEST_PROCESSES", "1")
    write(landing / "ijw" / "good.xml", good_message(701000))
    os.mkfifo(landing / "ijw" / "fifo.xml")
    write(os.fsencode(landing / "ijw") + b"/\xfe.xml", good_message(701001))
    write(landing / "cbs" / "85099NED.json", kerncijfers_snapshot([kerncijfer()]))
    os.mkfifo(landing / "cbs" / "85099NED_fifo.json")
    write(landing / "budgets" / "region.csv", budget_csv())
    os.mkfifo(landing / "budgets" / "fifo.csv")
    (landing / "budgets" / "iv3.json").mkdir()
    keys = {*ijw_messages.keys, KERNCIJFERS_SOURCE.asset.key, IV3_KEY, REGION_BUDGET_KEY}
    checks = [check for check in reconciliation_checks if check.spec.asset_key in keys]

    result = dg.materialize(
        [ijw_messages, cbs_and_budgets, check_wave("reconciliations", "The ingested tables' reconciliations.", checks)],
        resources={"warehouse": WarehouseResource(), "cbs": CbsResource()},
        instance=dg.DagsterInstance.ephemeral(),
        selection=list(keys),
    )

    assert result.success
    evaluations = result.get_asset_check_evaluations()
    assert len(evaluations) == len(checks) and all(evaluation.passed for evaluation in evaluations)
    with duckdb.connect(str(warehouse_dir / "warehouse.duckdb"), read_only=True) as con:
        rows = con.execute(
            "select l.file_path, l.message_type, l.status, q.reason_code from audit.ingest_ledger l "
            "left join audit.quarantine q using (file_sha256) order by all"
        ).fetchall()
    ijw, cbs, budgets = (str(landing / name) for name in ("ijw", "cbs", "budgets"))
    assert rows == [
        (f"{budgets}/fifo.csv", BUDGET_MESSAGE_TYPE, "rejected", "FILE_NOT_REGULAR"),
        (f"{budgets}/iv3.json", "CBS:IV3", "rejected", "FILE_NOT_REGULAR"),
        (f"{budgets}/region.csv", BUDGET_MESSAGE_TYPE, "loaded", None),
        (f"{cbs}/85099NED.json", "CBS:85099NED", "loaded", None),
        (f"{cbs}/85099NED_fifo.json", "CBS:85099NED", "rejected", "FILE_NOT_REGULAR"),
        (f"{ijw}/\\xfe.xml", "JW323", "rejected", "FILE_NAME_INVALID"),
        (f"{ijw}/fifo.xml", "JW323", "rejected", "FILE_NOT_REGULAR"),
        (f"{ijw}/good.xml", "JW301", "loaded", None),
    ]

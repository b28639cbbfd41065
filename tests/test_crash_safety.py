"""An ingest killed with SIGKILL mid-way, then run again, leaves exactly the tables an uninterrupted run leaves.

The ingest runs in a child process over a generated world; the parent kills it after some files (plus a moment, so
the kill lands inside a later file's transaction as often as between files), twice, then lets a third run finish.
Every raw and audit table is compared by a hash of its rows without the columns that name the run or the clock,
the ledger's duplicate rows and the landing inventory's marks included: a file a killed run committed is not read
again, and one it did not commit is.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from tests.conftest import REPO_ROOT

VOLATILE_COLUMNS = {"ingested_at", "run_id", "quarantined_at"}
INGEST = """
import sys
import duckdb
from pathlib import Path
from orchestration.warehouse.ijw_messages import IJW_INGESTS
from orchestration.ijw.pseudonym import Pseudonymiser
from orchestration.warehouse.schema import ensure_schema
from tests.ijw_landing import claimed_files, take_inventory

database, landing, run_id = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
pseudonymiser = Pseudonymiser(b"crash-safety-test-key-0123456789")
con = duckdb.connect(database)
ensure_schema(con)
take_inventory(con, landing)
for ingest in IJW_INGESTS:
    paths = claimed_files(con, ingest, landing)
    # Small batches, so that a kill lands between and inside many transactions.
    for start in range(0, len(paths), 3):
        batch = paths[start : start + 3]
        for entry in ingest.ingest_files(con, batch, pseudonymiser, run_id, batch_files=3, landing_dir=landing):
            print(entry.status, flush=True)
con.close()
"""


def ingest_command(database: Path, landing: Path, run_id: str) -> list[str]:
    return [sys.executable, "-c", INGEST, str(database), str(landing), run_id]


def run_to_completion(database: Path, landing: Path, run_id: str) -> None:
    subprocess.run(ingest_command(database, landing, run_id), cwd=REPO_ROOT, check=True, capture_output=True)


def run_and_kill(database: Path, landing: Path, run_id: str, after_files: int, delay: float) -> int:
    """Start an ingest, SIGKILL it once it reported after_files files and delay seconds passed; files it reported."""
    child = subprocess.Popen(
        ingest_command(database, landing, run_id), cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True
    )
    reported = 0
    assert child.stdout is not None
    while reported < after_files and child.stdout.readline():
        reported += 1
    time.sleep(delay)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    assert child.returncode == -signal.SIGKILL, "the ingest finished before it could be killed: land more files"
    return reported


def table_hashes(database: Path) -> dict[str, tuple[int, str]]:
    """(rows, sha256 of the sorted rows) per raw/audit table, without run and clock columns."""
    hashes = {}
    with duckdb.connect(str(database), read_only=True) as con:
        tables = con.execute(
            "select table_schema || '.' || table_name from information_schema.tables "
            "where table_schema in ('raw', 'audit') order by 1"
        ).fetchall()
        for (table,) in tables:
            schema, name = table.split(".")
            columns = [
                column
                for (column,) in con.execute(
                    "select column_name from information_schema.columns where table_schema = ? and table_name = ? "
                    "order by ordinal_position",
                    [schema, name],
                ).fetchall()
                if column not in VOLATILE_COLUMNS
            ]
            rows = con.execute(f"select {', '.join(columns)} from {table} order by all").fetchall()  # noqa: S608
            hashes[table] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    return hashes


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Path:
    landing = tmp_path_factory.mktemp("crash") / "landing"
    subprocess.run(
        [sys.executable, "-m", "orchestration.generator", "--out", str(landing), "--municipalities", "GM0392,GM0453"]
        + ["--from", "2024-Q1", "--to", "2024-Q1", "--scale", "0.01", "--faults", "0.05", "--seed", "11", "--quiet"],
        cwd=REPO_ROOT,
        check=True,
    )
    return landing


def test_a_killed_ingest_rerun_equals_an_uninterrupted_one(world, tmp_path):
    reference, crashed = tmp_path / "reference.duckdb", tmp_path / "crashed.duckdb"
    run_to_completion(reference, world, "uninterrupted")

    first = run_and_kill(crashed, world, "killed-1", after_files=12, delay=0.05)
    second = run_and_kill(crashed, world, "killed-2", after_files=25, delay=0.013)
    run_to_completion(crashed, world, "rerun")

    expected = table_hashes(reference)
    assert expected["raw.ijw_declaration_lines"][0] > 0 and expected["audit.quarantine"][0] > 0
    assert table_hashes(crashed) == expected
    with duckdb.connect(str(crashed), read_only=True) as con:
        per_file = con.execute(
            "select file_sha256, count(*) filter (where status <> 'duplicate') from audit.ingest_ledger group by 1"
        ).fetchall()
        per_run = dict(con.execute("select run_id, count(*) from audit.ingest_ledger group by 1").fetchall())
        unread = con.execute("select count(*) from audit.landed_files where file_sha256 is null").fetchone()[0]
    # Every content is loaded or rejected exactly once, and the ledger (compared whole above) holds no row for a file
    # read twice: each run read only what the runs before it had not committed.
    assert {ingested for _, ingested in per_file} == {1}
    assert per_run["killed-1"] >= first and per_run["killed-2"] >= second and per_run["rerun"] > 0
    assert unread == 0

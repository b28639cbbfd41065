"""A step that holds the warehouse open shares that database with every connection it opens, read-only or not, and
lets go of the file while another process opens it (orchestration/warehouse_file.py)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys

import duckdb
import pytest

from orchestration import warehouse_file
from tests.conftest import REPO_ROOT

LIMIT = "1GB"


@pytest.fixture
def database(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create table facts as select 1 as id")
    return path


def opens_elsewhere(path) -> bool:
    """Whether another process can open the file for reading."""
    opened = subprocess.run(
        [sys.executable, "-c", f"import duckdb; duckdb.connect({str(path)!r}, read_only=True).close()"],
        capture_output=True,
    )
    return opened.returncode == 0


def test_a_read_only_connection_beside_a_writing_one_is_refused_without_a_hold(database):
    with warehouse_file.connect(database, LIMIT), pytest.raises(duckdb.ConnectionException, match="configuration"):
        warehouse_file.connect(database, LIMIT, read_only=True)


def test_while_held_every_connection_shares_the_open_database(database):
    with warehouse_file.held(database, LIMIT):
        with warehouse_file.connect(database, LIMIT) as writer:
            writer.execute("insert into facts values (2)")
        with warehouse_file.connect(database, LIMIT, read_only=True) as reader:
            assert reader.execute("select sum(id) from facts").fetchone() == (3,)
    with warehouse_file.connect(database, LIMIT, read_only=True) as reader:
        assert reader.execute("select count(*) from facts").fetchone() == (2,)


def test_another_process_opens_the_file_only_while_the_hold_is_released(database):
    assert opens_elsewhere(database)
    with warehouse_file.held(database, LIMIT):
        assert not opens_elsewhere(database)
        with warehouse_file.released(database):
            assert opens_elsewhere(database)
        assert not opens_elsewhere(database)
        with warehouse_file.connect(database, LIMIT, read_only=True) as reader:
            assert reader.execute("select count(*) from facts").fetchone() == (1,)
    assert opens_elsewhere(database)


def test_a_hold_on_one_file_leaves_connections_to_another_as_asked(database, tmp_path):
    other = tmp_path / "other.duckdb"
    duckdb.connect(str(other)).close()
    with (
        warehouse_file.held(database, LIMIT),
        warehouse_file.connect(other, LIMIT, read_only=True) as reader,
        pytest.raises(duckdb.InvalidInputException, match="read-only"),
    ):
        reader.execute("create table t (x integer)")


def strace_problem() -> str | None:
    """Why strace cannot kill a process at a chosen system call here, if it cannot."""
    if shutil.which("strace") is None:
        return "needs Debian's strace (make strace installs it)"
    probe = subprocess.run(["strace", "-qq", "-o", "/dev/null", "true"], capture_output=True, text=True)
    if probe.returncode != 0:
        return f"strace cannot trace here (it needs ptrace, which this machine refuses): {probe.stderr.strip()}"
    return None


@pytest.mark.parametrize("write", [1, 2, 3])
def test_a_process_killed_while_creating_the_file_leaves_one_the_next_opens(write, tmp_path):
    """DuckDB writes a new file's three headers one by one; a kill between them left a file no later run could open."""
    problem = strace_problem()
    if problem is not None:
        pytest.skip(problem)
    database = tmp_path / "warehouse.duckdb"
    create = (
        "import sys; from pathlib import Path; from orchestration import warehouse_file; "
        f"warehouse_file.connect(Path(sys.argv[1]), {LIMIT!r}).close()"
    )
    killed = subprocess.run(
        [
            "strace",
            "-f",
            "-qq",
            "-o",
            "/dev/null",
            "-e",
            "trace=pwrite64",
            "-e",
            f"inject=pwrite64:signal=KILL:when={write}",
        ]
        + [sys.executable, "-c", create, str(database)],
        cwd=REPO_ROOT,
    )
    assert killed.returncode == -signal.SIGKILL or killed.returncode == 128 + signal.SIGKILL, killed

    with warehouse_file.connect(database, LIMIT) as con:
        con.execute("create table facts as select 1 as id")
    assert [path.name for path in tmp_path.iterdir()] == ["warehouse.duckdb"]


def test_where_the_file_system_has_no_hard_links_the_new_file_is_renamed_into_place(tmp_path, monkeypatch):
    def refused(*_args):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "link", refused)
    database = tmp_path / "warehouse.duckdb"
    with warehouse_file.connect(database, LIMIT) as con:
        con.execute("create table facts as select 1 as id")
    with duckdb.connect(str(database), read_only=True) as con:
        assert con.execute("select count(*) from facts").fetchone() == (1,)
    assert [path.name for path in tmp_path.iterdir()] == ["warehouse.duckdb"]

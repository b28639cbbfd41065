"""A worker of the inventory's or the ingest's pool, or one forked for a table validation, does not outlive the process
that started it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]

# The parent: a pool of one worker that reports its pid and then reads "for minutes".
_PARENT = """
import sys
from tests.test_worker_pool import report_and_sleep
from orchestration.warehouse.worker_pool import forked_worker, worker_pool
with {pool} as pool:
    pool.submit(report_and_sleep, sys.argv[1]).result()
"""


def report_and_sleep(pid_file: str) -> None:
    Path(pid_file).write_text(str(os.getpid()))
    time.sleep(120)


def _running(pid: int) -> bool:
    """Alive and not a zombie waiting to be reaped."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status


def _wait_for(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


@pytest.mark.parametrize("pool", ["worker_pool(1)", "forked_worker()"])
def test_a_worker_exits_when_its_parent_is_killed(tmp_path, pool):
    pid_file = tmp_path / "worker.pid"
    parent = subprocess.Popen([sys.executable, "-c", _PARENT.format(pool=pool), str(pid_file)], cwd=REPO_ROOT)
    try:
        assert _wait_for(lambda: pid_file.exists() and pid_file.read_text(), 60), "the worker never started"
        worker = int(pid_file.read_text())
        assert _running(worker)

        parent.send_signal(signal.SIGKILL)
        parent.wait()

        assert _wait_for(lambda: not _running(worker), 10), "the worker outlived its parent"
    finally:
        parent.kill()
        if pid_file.exists() and pid_file.read_text() and _running(int(pid_file.read_text())):
            os.kill(int(pid_file.read_text()), signal.SIGKILL)

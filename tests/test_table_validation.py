"""A table validated in a worker process of its own gives the verdict the suite gives in this process, and the worker
is gone afterwards, and so is the host it was forked from; a small table is validated here
(orchestration/quality/table_validation.py)."""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import time
from pathlib import Path

import duckdb
import pytest

from orchestration import warehouse_file
from orchestration.quality import table_validation
from orchestration.quality.suites import failures_of, run_suite
from orchestration.quality.table_validation import query_frame, validate_table, validations_hosted
from tests.test_great_expectations_frames import CLEAN, SUITE, insert_lines, line

THIS_RUN = [*CLEAN, line(9, product_code="99Z99")]
# An earlier run's rows break another expectation: the check validates only what this run appended.
EARLIER_RUN = [line(20 + number, run_id="earlier", unit_code="99") for number in range(3)]


def _warehouse(tmp_path, rows: list[dict]):
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        insert_lines(con, rows)
    return path


def _verdict(failures) -> set[tuple[str, str | None]]:
    return {(failure.expectation, failure.column) for failure in failures}


@pytest.fixture
def workers_started(monkeypatch) -> list[int]:
    """One entry per host process started for validation workers."""
    started: list[int] = []
    worker_pool = table_validation.worker_pool

    def counting_worker_pool(processes):
        started.append(1)
        return worker_pool(processes)

    monkeypatch.setattr(table_validation, "worker_pool", counting_worker_pool)
    return started


def _descendants(pid: int) -> set[int]:
    """The live processes under pid, but multiprocessing's resource tracker, which lasts as long as this process."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                status = (entry / "status").read_text()
                command = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if "\nState:\tZ" in status or b"resource_tracker" in command:
                continue  # exited and waiting to be reaped, or the tracker
            parent = int(next(line for line in status.splitlines() if line.startswith("PPid:")).split()[1])
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


@pytest.mark.parametrize(("in_process_rows", "workers"), [(len(THIS_RUN), 1), (len(THIS_RUN) + 1, 0)])
def test_the_verdict_on_this_run_s_rows_is_the_suite_s_here_in_a_worker_or_not(
    tmp_path, monkeypatch, workers_started, in_process_rows, workers
):
    path = _warehouse(tmp_path, THIS_RUN + EARLIER_RUN)
    monkeypatch.setattr(table_validation, "IN_PROCESS_ROWS", in_process_rows)

    validation = validate_table(path, "1GB", SUITE, "run")

    with duckdb.connect(str(path), read_only=True) as con:
        here = run_suite(query_frame(con, "select * from raw.ijw_declaration_lines where run_id = 'run'", []), SUITE)
    assert _verdict(failures_of(validation.result)) == _verdict(failures_of(here))
    assert _verdict(failures_of(validation.result)) == {("expect_column_values_to_be_in_set", "product_code")}
    assert validation.rows_validated == len(THIS_RUN)
    assert len(workers_started) == workers
    assert multiprocessing.active_children() == []


def test_a_worker_validates_while_the_step_holds_the_warehouse_open(tmp_path, monkeypatch, workers_started):
    path = _warehouse(tmp_path, THIS_RUN + EARLIER_RUN)
    monkeypatch.setattr(table_validation, "IN_PROCESS_ROWS", 0)

    with warehouse_file.held(path, "1GB"):
        validation = validate_table(path, "1GB", SUITE, "run")
        # Held again: a read-only connection of this process shares the hold's database.
        with warehouse_file.connect(path, "1GB", read_only=True) as con:
            assert con.execute("select count(*) from raw.ijw_declaration_lines").fetchone() == (
                len(THIS_RUN + EARLIER_RUN),
            )

    assert validation.rows_validated == len(THIS_RUN) and len(workers_started) == 1


def test_an_error_in_the_worker_reaches_the_check(tmp_path, monkeypatch):
    path = _warehouse(tmp_path, THIS_RUN)
    missing_column = dataclasses.replace(
        SUITE, expectations=({"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "no_such_column"}},)
    )
    monkeypatch.setattr(table_validation, "IN_PROCESS_ROWS", 0)
    with pytest.raises(duckdb.BinderException, match="no_such_column"):
        validate_table(path, "1GB", missing_column, "run")


def test_a_wave_s_workers_share_one_host_that_is_gone_after_the_wave(tmp_path, monkeypatch, workers_started):
    path = _warehouse(tmp_path, THIS_RUN + EARLIER_RUN)
    monkeypatch.setattr(table_validation, "IN_PROCESS_ROWS", 0)
    before = _descendants(os.getpid())

    with validations_hosted():
        first = validate_table(path, "1GB", SUITE, "run")
        second = validate_table(path, "1GB", SUITE, None)
        # The host that forked both workers (each gone with its validation).
        during = _descendants(os.getpid()) - before
        assert len(during) == 1

    assert (first.rows_validated, second.rows_validated) == (len(THIS_RUN), len(THIS_RUN + EARLIER_RUN))
    assert len(workers_started) == 1
    deadline = time.monotonic() + 10
    while during & _descendants(os.getpid()) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not during & _descendants(os.getpid()), "the host outlived the wave"

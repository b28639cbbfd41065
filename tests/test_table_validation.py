"""A table validated in a worker process of its own gives the verdict the suite gives in this process, and the worker
is gone afterwards; a small table is validated here (orchestration/quality/table_validation.py)."""

from __future__ import annotations

import dataclasses
import multiprocessing

import duckdb
import pytest

from orchestration import warehouse_file
from orchestration.quality import table_validation
from orchestration.quality.suites import failures_of, run_suite
from orchestration.quality.table_validation import query_frame, validate_table
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
    started: list[int] = []
    forked_worker = table_validation.forked_worker

    def counting_forked_worker(preload):
        started.append(1)
        return forked_worker(preload)

    monkeypatch.setattr(table_validation, "forked_worker", counting_forked_worker)
    return started


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

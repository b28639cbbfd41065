"""A table validated in a worker process of its own gives the verdict the suite gives in this process, and the worker
is gone afterwards (orchestration/quality/table_validation.py)."""

from __future__ import annotations

import multiprocessing

import duckdb
import pytest

from orchestration.quality.suites import failures_of, run_suite
from orchestration.quality.table_validation import query_frame, validate_table_in_own_process
from tests.test_great_expectations_frames import CLEAN, SUITE, insert_lines, line


def _warehouse(tmp_path, rows: list[dict]):
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        insert_lines(con, rows)
    return path


def _verdict(failures) -> set[tuple[str, str | None]]:
    return {(failure.expectation, failure.column) for failure in failures}


def test_the_worker_judges_this_run_s_rows_as_the_suite_does_here_and_exits(tmp_path):
    this_run = [*CLEAN, line(9, municipality_code="0363")]
    earlier_run = [line(20 + number, run_id="earlier", unit_code="99") for number in range(3)]
    path = _warehouse(tmp_path, this_run + earlier_run)

    validation = validate_table_in_own_process(path, "1GB", SUITE, "run")

    with duckdb.connect(str(path), read_only=True) as con:
        here = run_suite(query_frame(con, "select * from raw.ijw_declaration_lines where run_id = 'run'", []), SUITE)
    assert _verdict(failures_of(validation.result)) == _verdict(failures_of(here))
    assert _verdict(failures_of(validation.result)) == {("expect_column_values_to_match_regex", "municipality_code")}
    assert validation.rows_validated == len(this_run)
    assert multiprocessing.active_children() == []


def test_an_error_in_the_worker_reaches_the_check(tmp_path):
    path = tmp_path / "empty.duckdb"
    duckdb.connect(str(path)).close()
    with pytest.raises(duckdb.CatalogException, match="ijw_declaration_lines"):
        validate_table_in_own_process(path, "1GB", SUITE, "run")

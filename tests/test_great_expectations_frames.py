"""The suites judge the rows the check hands them as categoricals exactly as they judge plain strings.

The check fetches text columns as pandas categoricals (orchestration/quality/table_validation.py) to keep a
national year in memory; each case here breaks one expectation of the raw declaration suite on a text column and
expects exactly that expectation to fail, and a clean batch to pass.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from orchestration.quality.suites import code_lists, failures_of, run_suite, suite_files
from orchestration.quality.table_validation import query_frame, validate_table_here
from orchestration.settings import EXPECTATIONS_DIR
from orchestration.warehouse.schema import ensure_schema

SUITE = next(suite for suite in suite_files(EXPECTATIONS_DIR) if suite.table == "raw.ijw_declaration_lines")


def line(number: int, **changes) -> dict:
    row = {
        # Two clients: the check keeps only repeating text columns as categoricals.
        "client_key": f"{number % 2:064x}",
        "municipality_code": "GM0363",
        "provider_agb": "98060001",
        "message_id": "M1",
        "declaration_number": "D1",
        "declaration_period_start": dt.date(2024, 3, 1),
        "declaration_period_end": dt.date(2024, 3, 31),
        "declaration_date": dt.date(2024, 4, 2),
        "reference_number": f"R{number}",
        "previous_reference_number": None,
        "allocation_number": 1000 + number,
        "product_category": "45",
        "product_code": "45A51",
        "period_start": dt.date(2024, 3, 1),
        "period_end": dt.date(2024, 3, 31),
        "volume": 10,
        "unit_code": "04",
        "tariff_cents": 9000,
        "amount_cents": 90000,
        "debit_credit": "D",
        "source_line": 10 + number,
        "source_record": 1 + number,
        "file_path": "/landing/ijw/a.xml",
        "file_sha256": "a" * 64,
        "ingested_at": dt.datetime(2024, 4, 3, tzinfo=dt.UTC),
        "run_id": "run",
    }
    return row | changes


def insert_lines(con: duckdb.DuckDBPyConnection, rows: list[dict]) -> None:
    ensure_schema(con)
    columns = list(rows[0])
    con.executemany(
        f"insert into raw.ijw_declaration_lines ({', '.join(columns)}) values ({', '.join('?' * len(columns))})",
        [list(row.values()) for row in rows],
    )


def failing(rows: list[dict]) -> set[tuple[str, str | None]]:
    con = duckdb.connect(":memory:")
    insert_lines(con, rows)
    frame = query_frame(con, "select * from raw.ijw_declaration_lines", [])
    assert str(frame["client_key"].dtype) == "category"
    return {(failure.expectation, failure.column) for failure in failures_of(run_suite(frame, SUITE))}


CLEAN = [line(number) for number in range(5)]


def test_a_clean_batch_passes():
    assert failing(CLEAN) == set()


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"client_key": "not-a-pseudonym"}, ("expect_column_value_lengths_to_equal", "client_key")),
        ({"unit_code": "99"}, ("expect_column_values_to_be_in_set", "unit_code")),
        ({"debit_credit": "X"}, ("expect_column_values_to_be_in_set", "debit_credit")),
        ({"product_code": "45a51"}, ("expect_column_values_to_be_in_set", "product_code")),
        ({"product_code": "99Z99"}, ("expect_column_values_to_be_in_set", "product_code")),
        ({"file_sha256": "a" * 63}, ("expect_column_value_lengths_to_equal", "file_sha256")),
        ({"source_record": 1}, ("expect_compound_columns_to_be_unique", None)),
    ],
)
def test_one_broken_text_value_fails_its_expectation(changes, expected):
    assert failing([*CLEAN, line(9, **changes)]) == {expected}


def test_a_bsn_in_the_pseudonym_column_fails_the_pseudonym_length():
    # 9 digits are no 64-character pseudonym; the hex alphabet and "never 9 digits" are checked on dim_client.
    assert failing([*CLEAN, line(9, client_key="999936943")]) == {
        ("expect_column_value_lengths_to_equal", "client_key")
    }


def test_a_suite_reads_the_values_of_the_columns_it_names_only():
    start_events = next(suite for suite in suite_files(EXPECTATIONS_DIR) if suite.table == "raw.ijw_start_events")
    assert {"client_key", "file_sha256", "source_record", "end_date", "delivery_status"} <= set(start_events.columns)
    assert not {"file_path", "ingested_at", "run_id", "message_id"} & set(start_events.columns)
    # The raw declaration suite also checks the table's column set (expect_table_columns_to_match_set): the names of
    # every column, the values of those it names.
    assert SUITE.reads_column_names and not start_events.reads_column_names
    assert {"client_key", "reference_number", "file_sha256"} <= set(SUITE.columns)
    assert not {"file_path", "message_id", "ingested_at"} & set(SUITE.columns)


def test_the_column_set_check_still_sees_every_column_of_the_table(tmp_path):
    db = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(db)) as con:
        insert_lines(con, CLEAN)
    validation = validate_table_here(db, "1GB", SUITE, "run")
    assert validation.rows_validated == 5 and failures_of(validation.result) == []
    with duckdb.connect(str(db)) as con:
        con.execute("alter table raw.ijw_declaration_lines add column extra varchar")
    assert {
        (failure.expectation, failure.column)
        for failure in failures_of(validate_table_here(db, "1GB", SUITE, "run").result)
    } == {("expect_table_columns_to_match_set", None)}


def test_only_text_columns_whose_values_repeat_become_categories():
    con = duckdb.connect(":memory:")
    con.execute(
        "create table t as select 'GM0363' as municipality_code, 'file-' || i as file_path, i as number "
        "from range(10) r(i)"
    )
    frame = query_frame(con, "select * from t where number >= ?", [2])
    assert {column: str(dtype) for column, dtype in frame.dtypes.items()} == {
        "municipality_code": "category",
        "file_path": "object",
        "number": "int64",
    }
    assert list(frame["file_path"]) == [f"file-{number}" for number in range(2, 10)]


def test_a_regions_own_product_code_passes_as_the_door_passes_it():
    # 55A11 is in seeds/reference/region_product_codes.csv, not in the national list.
    assert failing([*CLEAN, line(9, product_code="55A11")]) == set()


def test_the_code_list_parameters_are_the_seeds_first_columns():
    lists = code_lists()
    assert {"45A51", "55A11"} <= set(lists["product_codes"])
    assert "99Z99" not in lists["product_codes"]
    assert {"40", "45", "55"} <= set(lists["jz020_product_categories"])
    assert "product_category_code" not in lists["jz020_product_categories"]

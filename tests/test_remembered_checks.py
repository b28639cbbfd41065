"""A blocking check on rows unchanged since it last passed reports that pass again without validating; a changed
row, suite or check, an earlier failure and a crash each make it validate (orchestration/quality/remembered.py).
After a pass, a suite validates only the rows that pass did not see, and every row whose key repeats."""

import dataclasses

import dagster as dg
import duckdb
import pytest

from orchestration.defs.quality import great_expectations, reconciliation, waves
from orchestration.defs.resources import WRITER_POOL, WarehouseResource
from orchestration.ijw.pseudonym import Pseudonymiser
from orchestration.quality import table_validation
from orchestration.quality.remembered import Outcome, checked
from orchestration.quality.suites import SuiteFile, read_suite_file, suite_files
from orchestration.settings import EXPECTATIONS_DIR
from orchestration.warehouse.ijw_messages import IJW_INGESTS
from tests.ijw_landing import ingest_landing
from tests.jw323_documents import VALID_BSN, client, document, prestatie

DECLARATIONS = "raw.ijw_declaration_lines"
SUITE = read_suite_file(EXPECTATIONS_DIR / f"{DECLARATIONS}.json")
PSEUDONYMISER = Pseudonymiser(b"remembered-checks-test-key-0123")
# A directly invoked check runs under this run id (dagster's direct invocation context).
THIS_RUN = "EPHEMERAL"


@pytest.fixture
def landed(warehouse_env):
    """Land a JW323 message with two lines and ingest it under run-1; returns (database, landing directory)."""
    warehouse_dir, landing_dir = warehouse_env
    land(landing_dir, "first.xml", "R1", "R2", run_id="run-1")
    return warehouse_dir / "warehouse.duckdb", landing_dir


def land(landing_dir, name: str, *references: str, run_id: str) -> None:
    (landing_dir / "ijw" / name).write_text(
        document(client(VALID_BSN, *(prestatie(ref, 5000, allocation=123450 + int(ref[1:])) for ref in references)))
    )
    with WarehouseResource().connect() as con:
        for ingest in IJW_INGESTS:
            ingest_landing(con, ingest, landing_dir, PSEUDONYMISER, run_id)


@pytest.fixture
def suites_run(monkeypatch) -> list[int]:
    """One entry per suite validation (counted where table_validation calls GX)."""
    runs: list[int] = []
    run_suite = table_validation.run_suite

    def counting_run_suite(frame, suite_file):
        runs.append(len(frame))
        return run_suite(frame, suite_file)

    monkeypatch.setattr(table_validation, "run_suite", counting_run_suite)
    return runs


def gx_check(suite_file=SUITE) -> dg.AssetCheckResult:
    check = great_expectations.suite_check(suite_file)
    return check.evaluate(dg.build_asset_check_context(), WarehouseResource())


def sql(database, statement: str):
    with duckdb.connect(str(database)) as con:
        return con.execute(statement).fetchall()


def stored(database) -> list[tuple]:
    return sql(database, "select check_key, passed, run_id from build_state.check_results order by all")


def test_an_unchanged_table_reports_the_stored_pass_without_running_the_suite(landed, suites_run):
    database, _ = landed
    first = gx_check()
    assert first.passed and suites_run == [2] and first.metadata["reported_again"].value is False

    again = gx_check()

    assert suites_run == [2], "the suite ran again on an unchanged table"
    assert again.passed and again.metadata["reported_again"].value is True
    assert again.metadata["validated_by_run"].value == THIS_RUN
    assert again.metadata["input_digest"] == first.metadata["input_digest"]
    assert again.metadata["rows_validated"] == first.metadata["rows_validated"]
    assert again.metadata["data_docs"] == first.metadata["data_docs"]
    assert "reported again" in again.description


def test_rows_stored_again_in_another_order_are_unchanged(landed, suites_run):
    database, _ = landed
    gx_check()
    sql(database, f"create table t as select * from {DECLARATIONS} order by reference_number desc")
    sql(database, f"delete from {DECLARATIONS}; insert into {DECLARATIONS} select * from t; drop table t")

    assert gx_check().metadata["reported_again"].value is True
    assert suites_run == [2]


def test_one_changed_row_validates_the_whole_table(landed, suites_run):
    database, _ = landed
    gx_check()
    sql(database, f"update {DECLARATIONS} set product_code = 'XXXXX' where reference_number = 'R2'")

    result = gx_check()

    assert suites_run == [2, 2]
    assert not result.passed and result.metadata["rows_of"].value == "the whole table"
    assert "product_code" in result.description


def test_a_changed_suite_validates_again(landed, suites_run):
    gx_check()
    # The same expectations in another order: a different suite file, the same verdict.
    changed = dataclasses.replace(SUITE, expectations=tuple(reversed(SUITE.expectations)))

    result = gx_check(changed)

    assert result.passed and suites_run == [2, 2] and result.metadata["reported_again"].value is False


def test_an_earlier_failure_is_validated_again_in_full(landed, suites_run):
    database, landing_dir = landed
    sql(database, f"update {DECLARATIONS} set product_code = 'XXXXX' where reference_number = 'R2'")
    assert not gx_check().passed
    assert stored(database) == [(f"raw/ijw_declaration_lines:{great_expectations_name()}", False, THIS_RUN)]
    # This run appends good rows only; the bad row of the earlier run must still be found.
    land(landing_dir, "second.xml", "R3", run_id=THIS_RUN)

    result = gx_check()

    assert suites_run == [2, 3]
    assert not result.passed and result.metadata["rows_of"].value == "the whole table"


def test_after_a_pass_only_this_run_s_appended_rows_are_validated(landed, suites_run):
    _, landing_dir = landed
    gx_check()
    land(landing_dir, "second.xml", "R3", run_id=THIS_RUN)

    result = gx_check()

    assert result.passed and suites_run == [2, 1]
    assert result.metadata["rows_of"].value == "this run" and result.metadata["rows_validated"].value == 1


def test_rows_changed_beside_this_run_s_validate_the_whole_table(landed, suites_run):
    database, landing_dir = landed
    gx_check()
    land(landing_dir, "second.xml", "R3", run_id=THIS_RUN)
    sql(database, f"update {DECLARATIONS} set product_code = 'XXXXX' where reference_number = 'R1'")

    result = gx_check()

    assert suites_run == [2, 3] and not result.passed


def test_a_crashed_check_is_not_remembered(landed, suites_run, monkeypatch):
    database, _ = landed
    gx_check()
    sql(database, f"update {DECLARATIONS} set amount_cents = amount_cents + 1 where reference_number = 'R1'")

    def crash(frame, suite_file):
        raise MemoryError("the validation died half-way")

    # Its own patch context: undoing the test's monkeypatch would also undo the warehouse's environment.
    with pytest.MonkeyPatch.context() as crashing:
        crashing.setattr(table_validation, "run_suite", crash)
        with pytest.raises(MemoryError):
            gx_check()
    assert stored(database) == []
    # The table as the crashed check saw it: validated, not reported from the earlier pass.
    sql(database, f"update {DECLARATIONS} set amount_cents = amount_cents - 1 where reference_number = 'R1'")
    runs = []
    monkeypatch.setattr(
        table_validation, "run_suite", lambda frame, suite_file: runs.append(1) or crash(frame, suite_file)
    )
    with pytest.raises(MemoryError):
        gx_check()
    assert runs == [1]


def example_suite(table: str, expectations: list[dict]) -> SuiteFile:
    return SuiteFile(path=EXPECTATIONS_DIR / f"{table}.json", table=table, expectations=tuple(expectations))


def great_expectations_name() -> str:
    return f"great_expectations_{SUITE.table_name}"


def test_the_reconciliation_reports_its_stored_pass_until_a_row_it_reads_changes(landed, monkeypatch):
    database, _ = landed
    reconciled = []
    reconcile = reconciliation.reconcile
    monkeypatch.setattr(reconciliation, "reconcile", lambda *args: reconciled.append(1) or reconcile(*args))
    [check] = [c for c in reconciliation.reconciliation_checks if c.spec.asset_key.path == ["raw", DECLARATIONS[4:]]]

    def run_check() -> dg.AssetCheckResult:
        return check.evaluate(dg.build_asset_check_context(), WarehouseResource())

    assert run_check().passed and run_check().passed
    assert reconciled == [1]
    # A quarantine row of another message type's file is not what this check reads.
    sql(database, "update audit.quarantine set reason = reason || '.' where message_type <> 'JW323'")
    assert run_check().metadata["reported_again"].value is True
    sql(database, f"update {DECLARATIONS} set amount_cents = amount_cents + 1 where reference_number = 'R1'")

    result = run_check()

    assert reconciled == [1, 1] and not result.passed


def test_checked_stores_the_verdict_only_after_the_validation_returned(tmp_path):
    database = tmp_path / "w.duckdb"
    duckdb.connect(str(database)).close()

    def connect(read_only: bool = False):
        return duckdb.connect(str(database), read_only=read_only)

    validations = []

    def validate(earlier):
        validations.append(earlier)
        return Outcome(passed=True, description="ok", metadata={"rows": 1})

    first = checked(connect, "t:c", "v1", lambda con: "d1", "run-1", validate)
    second = checked(connect, "t:c", "v1", lambda con: "d1", "run-2", validate)
    third = checked(connect, "t:c", "v1", lambda con: "d2", "run-3", validate)

    assert [first.reported_again, second.reported_again, third.reported_again] == [False, True, False]
    assert second.validated_by_run == "run-1" and second.outcome == first.outcome
    # The third validation learns of the earlier pass on other inputs (a raw table then validates only new rows).
    assert validations[0] is None and validations[1].validated_by_run == "run-1"
    assert checked(connect, "t:c", "v2", lambda con: "d2", "run-4", validate).reported_again is False


def test_the_check_steps_that_store_results_claim_the_writer_pool():
    stored_by = {check.spec.key for check in [*great_expectations.suite_checks, *reconciliation.reconciliation_checks]}
    steps = [wave for wave in waves.check_waves if stored_by & set(wave.check_keys)]
    assert set().union(*(wave.check_keys for wave in steps)) >= stored_by
    assert {wave.node_def.pool for wave in steps} == {WRITER_POOL}


# A rebuilt table (no run_id, as a dbt mart): after a pass its row-wise expectations read only the rows whose hash
# that pass did not store, and its key expectation every row whose key repeats.
MART = "marts.remembered_example"
MART_SUITE = example_suite(
    MART,
    [
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "code"}},
        {"type": "expect_column_values_to_be_in_set", "kwargs": {"column": "code", "value_set": ["A", "B"]}},
        {"type": "expect_column_values_to_be_between", "kwargs": {"column": "amount", "min_value": 0}},
        {"type": "expect_compound_columns_to_be_unique", "kwargs": {"column_list": ["line_id", "code"]}},
    ],
)
MART_ROWS = [(1, "A", 10), (2, "B", 20), (3, "A", 30)]


@pytest.fixture
def mart(warehouse_env):
    """The example mart with three good rows, rebuilt by mart_rows(...); returns the database."""
    warehouse_dir, _ = warehouse_env
    with WarehouseResource().connect() as con:
        con.execute("create schema if not exists marts")
    rebuild(warehouse_dir / "warehouse.duckdb", MART_ROWS)
    return warehouse_dir / "warehouse.duckdb"


def rebuild(database, rows: list[tuple]) -> None:
    """The mart as dbt leaves it: built again in full, in whatever order."""
    with duckdb.connect(str(database)) as con:
        con.execute(f"create or replace table {MART} (line_id integer, code varchar, amount integer)")
        con.executemany(f"insert into {MART} values (?, ?, ?)", list(reversed(rows)))


def mart_check(suite_file=MART_SUITE) -> dg.AssetCheckResult:
    return gx_check(suite_file)


def test_a_rebuilt_table_validates_only_its_rows_new_since_the_pass(mart, suites_run):
    assert mart_check().passed and suites_run == [3]
    rebuild(mart, [*MART_ROWS, (4, "B", 40)])

    result = mart_check()

    assert result.passed and suites_run == [3, 1]
    assert result.metadata["rows_of"].value == "rows new since the last pass"
    # The pass stored the hashes of every row it passed on, the new one included.
    assert sql(mart, "select count(*) from build_state.check_row_hashes") == [(4,)]


def test_a_bad_new_row_of_a_rebuilt_table_fails_and_its_hashes_are_dropped(mart, suites_run):
    mart_check()
    rebuild(mart, [*MART_ROWS, (4, "X", 40)])

    result = mart_check()

    assert suites_run == [3, 1] and not result.passed and "code" in result.description
    assert sql(mart, "select count(*) from build_state.check_row_hashes") == [(0,)]
    # After a failure the next run validates every row again, though the bad row is gone.
    rebuild(mart, [*MART_ROWS, (5, "B", 50)])
    assert mart_check().passed and suites_run == [3, 1, 4]


def test_a_changed_row_of_a_rebuilt_table_is_validated(mart, suites_run):
    mart_check()
    rebuild(mart, [(1, "A", 10), (2, "B", -20), (3, "A", 30)])

    result = mart_check()

    assert suites_run == [3, 1] and not result.passed and "amount" in result.description


def test_a_new_row_repeating_an_old_key_fails_the_uniqueness_over_the_whole_table(mart, suites_run):
    mart_check()
    rebuild(mart, [*MART_ROWS, (1, "A", 11)])

    result = mart_check()

    # The new row and the old row it repeats; the unchanged rows with keys of their own are not read.
    assert suites_run == [3, 2] and not result.passed
    assert "expect_compound_columns_to_be_unique" in result.description


def test_rows_passed_under_another_suite_are_validated_again(mart, suites_run):
    lenient = example_suite(
        MART,
        [{"type": "expect_column_values_to_be_in_set", "kwargs": {"column": "code", "value_set": ["A", "B", "X"]}}],
    )
    rebuild(mart, [*MART_ROWS, (4, "X", 40)])
    assert mart_check(lenient).passed
    rebuild(mart, [*MART_ROWS, (4, "X", 40), (5, "A", 50)])

    result = mart_check()

    assert suites_run == [4, 5] and not result.passed
    assert result.metadata["rows_of"].value == "the whole table"


def test_a_crash_in_a_partial_validation_validates_the_whole_table_next(mart, suites_run):
    mart_check()
    rebuild(mart, [*MART_ROWS, (4, "B", 40)])
    with pytest.MonkeyPatch.context() as crashing:
        crashing.setattr(table_validation, "run_suite", lambda frame, suite_file: 1 / 0)
        with pytest.raises(ZeroDivisionError):
            mart_check()

    result = mart_check()

    assert result.passed and suites_run == [3, 4] and result.metadata["rows_of"].value == "the whole table"


def test_only_row_wise_key_and_column_name_expectations_validate_by_row():
    assert all(suite.validates_by_row for suite in suite_files(EXPECTATIONS_DIR))
    mostly = example_suite(
        MART, [{"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "code", "mostly": 0.9}}]
    )
    mean = example_suite(
        MART, [{"type": "expect_column_mean_to_be_between", "kwargs": {"column": "amount", "min_value": 0}}]
    )
    assert not mostly.validates_by_row and not mean.validates_by_row
    assert MART_SUITE.keys == [["line_id", "code"]]


def test_a_suite_that_does_not_validate_by_row_reads_the_whole_table(mart, suites_run):
    mostly = example_suite(
        MART,
        [
            {
                "type": "expect_column_values_to_be_in_set",
                "kwargs": {"column": "code", "value_set": ["A"], "mostly": 0.5},
            }
        ],
    )
    assert mart_check(mostly).passed
    rebuild(mart, [*MART_ROWS, (4, "B", 40), (5, "B", 50)])

    result = mart_check(mostly)

    assert suites_run == [3, 5] and not result.passed

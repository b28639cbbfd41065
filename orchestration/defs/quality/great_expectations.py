"""One blocking check per Great Expectations suite in expectations/ (dagster-ge supports only GX < 1.0), run in the
wave of checks on its table's step (orchestration/defs/quality/waves.py).

A large table is read and validated in a process of its own (orchestration/quality/table_validation.py says why);
this process then only renders the result into the Data Docs and the check. A table as it was when this suite last
passed on it is not validated again: the check reports that result (orchestration/quality/remembered.py). A table
that changed since is validated on the rows that pass did not see (orchestration/quality/table_validation.py).
"""

from importlib.metadata import version

import dagster as dg
import duckdb

from orchestration.defs.quality.check_results import check_result, state_connection
from orchestration.defs.quality.wave import WaveCheck
from orchestration.defs.resources import WarehouseResource
from orchestration.docs_server import data_docs_url
from orchestration.quality import suites, table_validation
from orchestration.quality.data_docs import write_data_docs
from orchestration.quality.remembered import Outcome, Verdict, checked, code_digest, digest
from orchestration.quality.suites import SuiteFile, code_lists, failures_of, suite_files
from orchestration.quality.table_validation import row_hashes_query, validate_table
from orchestration.settings import EXPECTATIONS_DIR
from orchestration.warehouse.table_digest import row_digest

_CHECK_CODE = code_digest(suites.__file__, table_validation.__file__, __file__)


def suite_version(suite_file: SuiteFile) -> str:
    """What decides the suite's verdict besides the table: its expectations, the code lists they name, GX, our code."""
    return digest(
        {
            "suite": [suite_file.table, suite_file.expectations],
            "code_lists": code_lists(),
            "great_expectations": version("great_expectations"),
            "code": _CHECK_CODE,
        }
    )


def table_digest(con: duckdb.DuckDBPyConnection, table: str, other_than_run: str | None = None) -> str:
    """The table's columns and rows; with other_than_run, its rows other than that run's."""
    columns = con.execute(f"describe {table}").fetchall()
    if other_than_run is None:
        return digest([columns, row_digest(con, table)])
    others = f"(select * from {table} where run_id <> ?)"  # noqa: S608 - a suite's table
    return digest([columns, row_digest(con, others, [other_than_run])])


def suite_check(suite_file: SuiteFile) -> WaveCheck:
    asset = dg.AssetKey([suite_file.schema, suite_file.table_name])
    spec = dg.AssetCheckSpec(
        name=f"great_expectations_{suite_file.table_name}",
        asset=asset,
        blocking=True,
        description=f"Great Expectations suite {suite_file.path.name} ({len(suite_file.expectations)} expectations).",
    )

    def evaluate(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource) -> dg.AssetCheckResult:
        settings = warehouse.settings()
        run_id = context.op_execution_context.run_id

        check_key = spec.key.to_user_string()

        def validate(earlier: Verdict | None) -> Outcome:
            only_run, unseen_since = _rows_new_since(warehouse, suite_file.table, run_id, check_key, earlier)
            validation = validate_table(
                settings.duckdb_path, settings.duckdb_memory_limit, suite_file, only_run, unseen_since
            )
            failures = failures_of(validation.result)
            docs = write_data_docs(
                validation.result, suite_file, settings.data_docs_dir, run_id, validation.rows_validated
            )
            summary = "; ".join(
                f"{f.expectation}({f.column or ''}): {f.unexpected_count} unexpected, e.g. {f.examples}"
                for f in failures
            )
            return Outcome(
                passed=not failures,
                description=(
                    f"{len(failures)} of {len(suite_file.expectations)} expectations failed: {summary}"
                    if failures
                    else f"all {len(suite_file.expectations)} expectations met"
                ),
                metadata={
                    "rows_validated": validation.rows_validated,
                    "rows_of": _rows_of(validation.partial, only_run),
                    "failed_expectations": len(failures),
                    "suite": str(suite_file.path),
                },
                links={"data_docs": data_docs_url(settings, docs)},
            )

        def row_hashes(con: duckdb.DuckDBPyConnection) -> str | None:
            # A raw table's new rows are known by their run_id; a rebuilt table's by the hashes its pass stored.
            return None if "run_id" in _columns(con, suite_file.table) else row_hashes_query(con, suite_file)

        verdict = checked(
            state_connection(warehouse),
            check_key,
            suite_version(suite_file),
            lambda con: table_digest(con, suite_file.table),
            run_id,
            validate,
            row_hashes,
        )
        return check_result(verdict)

    return WaveCheck(spec, evaluate)


def _rows_new_since(
    warehouse: WarehouseResource, table: str, run_id: str, check_key: str, earlier: Verdict | None
) -> tuple[str | None, tuple[str, str] | None]:
    """(only_run, unseen_since) for validate_table: which rows this suite has not passed on since its earlier pass.

    A raw table (append-only, with run_id) as it was then plus this run's rows: this run's; changed otherwise, all of
    it. A rebuilt table (no run_id): the rows whose hash that pass did not store. Without a pass of this version (a
    changed suite, an earlier failure, a crash): all rows."""
    if earlier is None:
        return None, None
    with warehouse.connect(read_only=True) as con:
        if "run_id" not in _columns(con, table):
            return None, (check_key, earlier.input_digest)
        unchanged = table_digest(con, table, other_than_run=run_id) == earlier.input_digest
        return (run_id if unchanged else None), None


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    return {column for column, *_ in con.execute(f"describe {table}").fetchall()}


def _rows_of(partial: bool, only_run: str | None) -> str:
    if not partial:
        return "the whole table"
    return "this run" if only_run else "rows new since the last pass"


suite_checks = [suite_check(suite_file) for suite_file in suite_files(EXPECTATIONS_DIR)]

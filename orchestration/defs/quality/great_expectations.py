"""One blocking asset check per Great Expectations suite in expectations/ (dagster-ge supports only GX < 1.0).

A large table is read and validated in a process of its own (orchestration/quality/table_validation.py says why);
this process then only renders the result into the Data Docs and the check. A table as it was when this suite last
passed on it is not validated again: the check reports that result (orchestration/quality/remembered.py).
"""

from importlib.metadata import version

import dagster as dg
import duckdb

from orchestration.defs.quality.check_results import check_result
from orchestration.defs.resources import WRITER_POOL, WarehouseResource
from orchestration.docs_server import data_docs_url
from orchestration.quality import suites, table_validation
from orchestration.quality.data_docs import write_data_docs
from orchestration.quality.remembered import Outcome, Verdict, checked, code_digest, digest
from orchestration.quality.suites import SuiteFile, code_lists, failures_of, suite_files
from orchestration.quality.table_validation import validate_table
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


def build_suite_check(suite_file: SuiteFile) -> dg.AssetChecksDefinition:
    asset = dg.AssetKey([suite_file.schema, suite_file.table_name])
    name = f"great_expectations_{suite_file.table_name}"

    @dg.asset_check(
        asset=asset,
        name=name,
        blocking=True,
        description=f"Great Expectations suite {suite_file.path.name} ({len(suite_file.expectations)} expectations).",
        # It stores its result in the warehouse (build_state.check_results).
        pool=WRITER_POOL,
    )
    def _check(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource) -> dg.AssetCheckResult:
        settings = warehouse.settings()
        run_id = context.op_execution_context.run_id

        def validate(earlier: Verdict | None) -> Outcome:
            only_run = run_id if _only_this_run_is_new(warehouse, suite_file.table, run_id, earlier) else None
            validation = validate_table(settings.duckdb_path, settings.duckdb_memory_limit, suite_file, only_run)
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
                    "rows_of": "this run" if only_run else "the whole table",
                    "failed_expectations": len(failures),
                    "suite": str(suite_file.path),
                },
                links={"data_docs": data_docs_url(settings, docs)},
            )

        verdict = checked(
            warehouse.connect,
            dg.AssetCheckKey(asset, name).to_user_string(),
            suite_version(suite_file),
            lambda con: table_digest(con, suite_file.table),
            run_id,
            validate,
        )
        return check_result(verdict)

    return _check


def _only_this_run_is_new(warehouse: WarehouseResource, table: str, run_id: str, earlier: Verdict | None) -> bool:
    """Whether this suite passed on the table as it is without this run's rows: then only they need validating.
    Raw tables are append-only and carry run_id, so a refresh costs what it appended, not the whole history."""
    if earlier is None:
        return False
    with warehouse.connect(read_only=True) as con:
        columns = {column for column, *_ in con.execute(f"describe {table}").fetchall()}
        return "run_id" in columns and table_digest(con, table, other_than_run=run_id) == earlier.input_digest


great_expectations_checks = [build_suite_check(suite_file) for suite_file in suite_files(EXPECTATIONS_DIR)]

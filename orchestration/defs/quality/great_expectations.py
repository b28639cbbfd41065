"""One blocking asset check per Great Expectations suite in expectations/ (dagster-ge supports only GX < 1.0).

A large table is read and validated in a process of its own (orchestration/quality/table_validation.py says why);
this process then only renders the result into the Data Docs and the check.
"""

import dagster as dg

from orchestration.defs.resources import WarehouseResource
from orchestration.docs_server import data_docs_url
from orchestration.quality.data_docs import write_data_docs
from orchestration.quality.suites import SuiteFile, failures_of, suite_files
from orchestration.quality.table_validation import validate_table
from orchestration.settings import EXPECTATIONS_DIR


def build_suite_check(suite_file: SuiteFile) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=dg.AssetKey([suite_file.schema, suite_file.table_name]),
        name=f"great_expectations_{suite_file.table_name}",
        blocking=True,
        description=f"Great Expectations suite {suite_file.path.name} ({len(suite_file.expectations)} expectations).",
    )
    def _check(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource) -> dg.AssetCheckResult:
        settings = warehouse.settings()
        validation = validate_table(settings.duckdb_path, settings.duckdb_memory_limit, suite_file, context.run.run_id)
        failures = failures_of(validation.result)
        docs = write_data_docs(
            validation.result,
            suite_file,
            settings.data_docs_dir,
            context.run.run_id,
            validation.rows_validated,
        )
        summary = "; ".join(
            f"{f.expectation}({f.column or ''}): {f.unexpected_count} unexpected, e.g. {f.examples}" for f in failures
        )
        return dg.AssetCheckResult(
            passed=not failures,
            description=(
                f"{len(failures)} of {len(suite_file.expectations)} expectations failed: {summary}"
                if failures
                else f"all {len(suite_file.expectations)} expectations met"
            ),
            metadata={
                "rows_validated": validation.rows_validated,
                "failed_expectations": len(failures),
                "suite": str(suite_file.path),
                "data_docs": dg.MetadataValue.url(data_docs_url(settings, docs)),
            },
        )

    return _check


great_expectations_checks = [build_suite_check(suite_file) for suite_file in suite_files(EXPECTATIONS_DIR)]

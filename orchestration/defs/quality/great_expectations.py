"""One blocking asset check per Great Expectations suite in expectations/ (dagster-ge supports only GX < 1.0)."""

import contextlib
import ctypes
import sys

import dagster as dg
import duckdb
import pandas as pd
from pandas.api.types import union_categoricals

from orchestration.defs.resources import WarehouseResource
from orchestration.quality.suites import SuiteFile, failures_of, run_suite, suite_files, write_data_docs
from orchestration.settings import EXPECTATIONS_DIR


def _rows_to_validate(con: duckdb.DuckDBPyConnection, suite_file: SuiteFile, run_id: str) -> pd.DataFrame:
    table_columns = [row[0] for row in con.execute(f"describe {suite_file.table}").fetchall()]
    # Only what the suite reads: a one-record message's raw row carries its file's path and hash, which most suites
    # never look at.
    selected = ", ".join(f'"{column}"' for column in suite_file.columns or table_columns)
    # Raw tables are append-only and carry run_id: each run validates what it appended, so the check stays
    # proportional to the new data instead of the whole history.
    if "run_id" in table_columns:
        return _frame(con, f"select {selected} from {suite_file.table} where run_id = ?", [run_id])
    return _frame(con, f"select {selected} from {suite_file.table}", [])


# Rows fetched per step: 100 DuckDB vectors of 2,048.
_VECTORS_PER_CHUNK = 100


def _frame(con: duckdb.DuckDBPyConnection, query: str, parameters: list) -> pd.DataFrame:
    """The query's rows with their repeating text columns as categoricals, fetched in chunks.

    As Python strings a national year's 1.9 million declaration lines take 3.4 GB (pseudonyms, hashes and paths
    repeat on every line); as categories a fraction of that, and no chunk holds more than 204,800 rows as strings.
    A column whose values hardly repeat stays strings: as a category it would cost the hashing and save nothing.
    """
    described = con.execute(f"select * from ({query}) limit 0", parameters).description  # noqa: S608
    text_columns = [name for name, type_code, *_ in described if type_code == "VARCHAR"]
    categorical = _repeating_columns(con, query, parameters, text_columns)
    result = con.execute(query, parameters)
    chunks = []
    while not (chunk := result.fetch_df_chunk(_VECTORS_PER_CHUNK)).empty:
        chunks.append(chunk.astype(dict.fromkeys(categorical, "category")))
    if not chunks:
        return result.df()
    # Column by column: concatenating whole chunks would turn categoricals with different categories into strings.
    return pd.DataFrame(
        {
            column: union_categoricals([chunk[column] for chunk in chunks], ignore_order=True)
            if column in categorical
            else pd.concat([chunk[column] for chunk in chunks], ignore_index=True)
            for column in chunks[0].columns
        }
    )


def _repeating_columns(con: duckdb.DuckDBPyConnection, query: str, parameters: list, columns: list[str]) -> list[str]:
    """The columns with at most one distinct value (estimated) per two rows."""
    if not columns:
        return []
    distinct = ", ".join(f'approx_count_distinct("{column}")' for column in columns)
    rows, *distinct_counts = con.execute(f"select count(*), {distinct} from ({query})", parameters).fetchone()  # noqa: S608
    return [column for column, count in zip(columns, distinct_counts, strict=True) if 2 * count <= rows]


def _release_freed_memory() -> None:
    """Give the pages a validated frame held back to the OS. The checks run in the Dagster process, which stays
    resident while dbt builds the next models beside it; glibc keeps freed memory inside the heap otherwise (a
    national year's declaration lines: 838 MiB resident after the frame was dropped, 587 MiB after the trim)."""
    if sys.platform == "linux":
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL("libc.so.6").malloc_trim(0)


def build_suite_check(suite_file: SuiteFile) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=dg.AssetKey([suite_file.schema, suite_file.table_name]),
        name=f"great_expectations_{suite_file.table_name}",
        blocking=True,
        description=f"Great Expectations suite {suite_file.path.name} ({len(suite_file.expectations)} expectations).",
    )
    def _check(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource) -> dg.AssetCheckResult:
        with warehouse.connect(read_only=True) as con:
            frame = _rows_to_validate(con, suite_file, context.run.run_id)
        rows_validated = len(frame)
        result = run_suite(frame, suite_file)
        del frame
        _release_freed_memory()
        failures = failures_of(result)
        docs = write_data_docs(result, suite_file, warehouse.settings().warehouse_dir / "data_docs", context.run.run_id)
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
                "rows_validated": rows_validated,
                "failed_expectations": len(failures),
                "suite": str(suite_file.path),
                "data_docs": dg.MetadataValue.url(docs),
            },
        )

    return _check


great_expectations_checks = [build_suite_check(suite_file) for suite_file in suite_files(EXPECTATIONS_DIR)]

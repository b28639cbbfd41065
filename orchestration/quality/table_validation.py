"""A warehouse table validated against its Great Expectations suite; a large one in a process of its own.

The checks run in the Dagster run process (in-process executor), which stays resident while dbt builds the next
models beside it. A large table's frame and GX's metrics over it are large, and the process keeps much of what it
freed (measured in docs/benchmarks.md); a process that exits gives everything back. It is forked from a host process
that imported GX once (orchestration/warehouse/worker_pool.py), so a check pays for a fork, not for importing GX anew,
and the host lasts one wave of checks (validations_hosted): idle, with GX imported, it would sit beside the dbt steps
between the waves, the run's largest.

A table the suite passed on before is validated on fewer rows when the suite decides row by row: a raw table on the
rows this run appended, a rebuilt table on the rows whose hash the last pass did not store, each with every row whose
key repeats anywhere in the table (validate_table).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from concurrent.futures import Executor
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pandas as pd
from pandas.api.types import union_categoricals

from orchestration import warehouse_file
from orchestration.quality.suites import GX_MODULE, SuiteFile, run_suite
from orchestration.warehouse.worker_pool import forked_worker, worker_pool

if TYPE_CHECKING:
    from great_expectations.core.expectation_validation_result import ExpectationSuiteValidationResult


@dataclass(frozen=True)
class TableValidation:
    rows_validated: int
    result: ExpectationSuiteValidationResult
    partial: bool
    """Whether fewer rows than the whole table's were read (validate_table)."""


IN_PROCESS_ROWS = 100_000
"""Fewer rows to validate than this are validated in the calling process: a worker costs about 0.2 s (the fork, a
fresh GX context, the exit), and a frame that small leaves little behind (a national year's dimensions, budgets and
CBS tables; the test worlds)."""


def validate_table(
    database: Path,
    memory_limit: str,
    suite_file: SuiteFile,
    only_run: str | None,
    unseen_since: tuple[str, str] | None = None,
) -> TableValidation:
    """The suite's rows of the DuckDB file `database` validated against suite_file: in a worker process that exits
    when it is done, or here when they are fewer than IN_PROCESS_ROWS.

    All rows, unless the suite validates by row (SuiteFile.validates_by_row) and one of these is given: `only_run`,
    the rows that run appended; `unseen_since` (check key, input digest of its last pass), the rows whose hash is not
    among those stored with that pass (ROW_HASHES). Every row whose key repeats anywhere in the table is added, so
    the uniqueness expectations see all that can fail them."""
    with _connect(database, memory_limit) as con:
        rows = _RowsToValidate.of(con, suite_file, only_run, unseen_since)
        (count,) = con.execute(f"select count(*) {rows.source}", rows.parameters).fetchone()
        if count < IN_PROCESS_ROWS:
            return _validated(con, suite_file, rows)
    with warehouse_file.released(database), nullcontext(_host) if _host is not None else worker_pool(1) as host:
        return host.submit(_validated_in_worker, database, memory_limit, suite_file, rows).result()


_host: Executor | None = None


@contextmanager
def validations_hosted() -> Iterator[None]:
    """validate_table's workers in the block all forked from one host process, spawned for the first and gone at the
    block's end. Outside such a block, a host per worker."""
    global _host
    if _host is not None:  # already inside one
        yield
        return
    with worker_pool(1) as _host:
        try:
            yield
        finally:
            _host = None


def validate_table_here(
    database: Path, memory_limit: str, suite_file: SuiteFile, only_run: str | None
) -> TableValidation:
    """validate_table's validation of the whole table or of only_run's rows, in this process."""
    with _connect(database, memory_limit) as con:
        return _validated(con, suite_file, _RowsToValidate.of(con, suite_file, only_run, None))


def _validated_in_worker(
    database: Path, memory_limit: str, suite_file: SuiteFile, rows: _RowsToValidate
) -> TableValidation:
    importlib.import_module(GX_MODULE)  # once per host, before the workers are forked from it
    with forked_worker() as worker:
        return worker.submit(_validated_in, database, memory_limit, suite_file, rows).result()


def _validated_in(database: Path, memory_limit: str, suite_file: SuiteFile, rows: _RowsToValidate) -> TableValidation:
    with _connect(database, memory_limit) as con:
        return _validated(con, suite_file, rows)


ROW_HASHES = "build_state.check_row_hashes"
"""The hashes of the rows a suite passed on, per check and the input digest of that pass (remembered.STATE_DDL)."""


def row_hashes_query(con: duckdb.DuckDBPyConnection, suite_file: SuiteFile) -> str:
    """The distinct hashes of the table's rows over the columns the suite reads, as the query `row_hash`."""
    return (
        f"select distinct {_row_hash(_table_columns(con, suite_file), suite_file)} as row_hash from {suite_file.table}"  # noqa: S608
    )


def _row_hash(table_columns: list[str], suite_file: SuiteFile) -> str:
    # Over the values the suite reads: a row-wise verdict depends on them alone. A 64-bit hash, as the table digests.
    read = [column for column in suite_file.columns or table_columns if column in table_columns]
    return _hash(read)


def _hash(columns: list[str]) -> str:
    return f"hash({', '.join(map(_quoted, columns))})"


def _table_columns(con: duckdb.DuckDBPyConnection, suite_file: SuiteFile) -> list[str]:
    return [row[0] for row in con.execute(f"describe {suite_file.table}").fetchall()]


def _connect(database: Path, memory_limit: str) -> duckdb.DuckDBPyConnection:
    return warehouse_file.connect(database, memory_limit, read_only=True)


def _validated(con: duckdb.DuckDBPyConnection, suite_file: SuiteFile, rows: _RowsToValidate) -> TableValidation:
    frame = query_frame(con, f"select {rows.columns} {rows.source}", rows.parameters)
    return TableValidation(rows_validated=len(frame), result=run_suite(frame, suite_file), partial=rows.partial)


@dataclass(frozen=True)
class _RowsToValidate:
    columns: str
    """The select list."""
    source: str
    """from ... where ..."""
    parameters: list
    partial: bool = True

    @classmethod
    def of(
        cls,
        con: duckdb.DuckDBPyConnection,
        suite_file: SuiteFile,
        only_run: str | None,
        unseen_since: tuple[str, str] | None,
    ) -> _RowsToValidate:
        table_columns = _table_columns(con, suite_file)
        # Only what the suite reads: a one-record message's raw row carries its file's path and hash, which most
        # suites never look at. A column only the column-name check looks at comes as a null number, cheap to read and
        # to hash (GX fingerprints every batch it loads); its values are never looked at (docs/benchmarks.md).
        read = suite_file.columns or table_columns
        selected = [
            _quoted(column) if column in read else f"cast(null as tinyint) as {_quoted(column)}"
            for column in table_columns
            if column in read or suite_file.reads_column_names
        ]
        # A column the suite names that the table lacks is selected anyway, so DuckDB's error names it.
        selected += [_quoted(column) for column in suite_file.columns or [] if column not in table_columns]
        columns = ", ".join(selected)
        if not suite_file.validates_by_row or (only_run is None and unseen_since is None):
            return cls(columns, f"from {suite_file.table}", [], partial=False)
        # Raw tables are append-only and carry run_id: a run whose only change to a table that passed is what it
        # appended validates just that; a rebuilt table, the rows the suite has not passed on (the caller decides:
        # orchestration/defs/quality/great_expectations.py).
        if only_run is not None:
            new, parameters = "run_id = ?", [only_run]
        else:
            passed = f"select row_hash from {ROW_HASHES} where check_key = ? and input_digest = ?"
            new, parameters = f"{_row_hash(table_columns, suite_file)} not in ({passed})", list(unseen_since)
        # A key is repeated when its hash is: nulls hash alike, as pandas finds duplicates, and a collision only adds
        # rows. Each group of rows GX could call repeated is read whole, so a repeated key fails as on the whole table.
        repeated = [
            f"{_hash(key)} in (select {_hash(key)} from {suite_file.table} group by 1 having count(*) > 1)"
            for key in suite_file.keys
        ]
        return cls(columns, f"from {suite_file.table} where {' or '.join([new, *repeated])}", parameters)


def _quoted(column: str) -> str:
    return f'"{column}"'


# Rows fetched per step: 100 DuckDB vectors of 2,048.
_VECTORS_PER_CHUNK = 100


def query_frame(con: duckdb.DuckDBPyConnection, query: str, parameters: list) -> pd.DataFrame:
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

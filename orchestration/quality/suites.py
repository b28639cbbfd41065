"""Great Expectations 1.x suites from expectations/*.json, validated against pandas DataFrames.

GX's SQL datasource over duckdb_engine returns empty results (DESIGN.md section 8), so tables are read from DuckDB
into pandas and validated there as a GX batch, through GX's public API.
A suite names a code list as `{"$PARAMETER": "<name>"}` (an expectation parameter); its values come from the seeds.
GX is imported where a validation runs, not with this module: importing it takes seconds, and loading the Dagster
definitions or a run whose checks are all remembered reads the suites without validating (docs/benchmarks.md).
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from orchestration.settings import REPO_ROOT

if TYPE_CHECKING:
    import pandas as pd
    from great_expectations.core.expectation_validation_result import ExpectationSuiteValidationResult

GX_MODULE = "great_expectations"
"""What a process that validates imports (table_validation.py's host imports it once for the workers it forks)."""

# Nine digits in a row may be a BSN that slipped past the door (the very thing the client_key suites look for): such a
# value is never copied into a check description or the Data Docs, which more people read than the warehouse.
_BSN_SHAPED = re.compile(r"(?<![0-9])[0-9]{9}(?![0-9])")
REDACTED = "[9 digits redacted]"

CODE_LISTS = {
    # The door accepts a product code of the national list or of the region's own (orchestration/ijw/codelists.py).
    "product_codes": ("reference/product_codes.csv", "reference/region_product_codes.csv"),
    "jz020_product_categories": ("codelists/jz020_product_categories.csv",),
}
"""The expectation parameters the suites may name: each the codes in the first column of these seed files."""


COLUMN_NAME_EXPECTATIONS = frozenset({"expect_table_columns_to_match_set"})
"""Table-level expectations that read the table's column names and nothing of its values."""

ROW_WISE_EXPECTATIONS = frozenset(
    {
        "expect_column_values_to_be_null",
        "expect_column_values_to_not_be_null",
        "expect_column_values_to_be_in_set",
        "expect_column_values_to_not_be_in_set",
        "expect_column_values_to_be_between",
        "expect_column_values_to_match_regex",
        "expect_column_values_to_not_match_regex",
        "expect_column_value_lengths_to_equal",
        "expect_column_pair_values_a_to_be_greater_than_b",
    }
)
"""Expectations every row passes or fails by its own values (a row_condition reads the row too): a row that passed
one under a suite passes it again, whatever rows lie beside it."""

KEY_EXPECTATIONS = {
    "expect_column_values_to_be_unique": "column",
    "expect_compound_columns_to_be_unique": "column_list",
}
"""Expectations that fail exactly the rows whose key (the columns under this kwarg) another row repeats."""


@dataclass(frozen=True)
class SuiteFile:
    path: Path
    table: str
    """schema.table, also the suite's name."""
    expectations: tuple[dict, ...]

    @property
    def schema(self) -> str:
        return self.table.split(".", 1)[0]

    @property
    def table_name(self) -> str:
        return self.table.split(".", 1)[1]

    @property
    def columns(self) -> list[str] | None:
        """The columns whose values the expectations read, in order of first mention; None when an expectation looks
        at the table as a whole in another way than by its column names, which then needs every column."""
        mentioned: dict[str, None] = {}
        for expectation in self.expectations:
            kwargs = expectation["kwargs"]
            names = [kwargs[key] for key in ("column", "column_A", "column_B") if key in kwargs]
            names += kwargs.get("column_list", [])
            if not names and expectation["type"] not in COLUMN_NAME_EXPECTATIONS:
                return None
            mentioned.update(dict.fromkeys(names))
        return list(mentioned)

    @property
    def keys(self) -> list[list[str]]:
        """The column lists whose values must not repeat (KEY_EXPECTATIONS)."""
        keys = [expectation["kwargs"][KEY_EXPECTATIONS[expectation["type"]]] for expectation in self._keyed]
        return [[key] if isinstance(key, str) else list(key) for key in keys]

    @property
    def validates_by_row(self) -> bool:
        """Whether the suite's verdict on a table equals its verdict on the rows it has not yet passed together with
        every row whose key repeats: each expectation decided row by row, by which keys repeat, or by the column names.
        A `mostly` makes a share of all rows the verdict, so such a suite reads the whole table."""
        decided_apart = ROW_WISE_EXPECTATIONS | COLUMN_NAME_EXPECTATIONS
        return all(
            "mostly" not in expectation["kwargs"]
            and (expectation["type"] in decided_apart or expectation in self._keyed)
            for expectation in self.expectations
        )

    @property
    def _keyed(self) -> list[dict]:
        return [expectation for expectation in self.expectations if expectation["type"] in KEY_EXPECTATIONS]

    @property
    def reads_column_names(self) -> bool:
        """Whether an expectation checks the table's column names, so the frame must carry every column."""
        return any(expectation["type"] in COLUMN_NAME_EXPECTATIONS for expectation in self.expectations)


@dataclass(frozen=True)
class Failure:
    expectation: str
    column: str | None
    unexpected_count: int | None
    examples: list


def read_suite_file(path: Path) -> SuiteFile:
    spec = json.loads(path.read_text(encoding="utf-8"))
    if spec.get("name") != path.stem or spec["name"].count(".") != 1:
        raise ValueError(f"{path}: suite name must be 'schema.table' and equal the file name")
    return SuiteFile(path=path, table=spec["name"], expectations=tuple(spec["expectations"]))


def suite_files(directory: Path) -> list[SuiteFile]:
    return [read_suite_file(path) for path in sorted(directory.glob("*.json"))]


@cache
def gx_context():
    """The one ephemeral GX context of this process (suites, data sources, Data Docs sites)."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context


@cache
def code_lists() -> dict[str, list[str]]:
    """CODE_LISTS' values, read once per process."""
    return {
        name: sorted({code for path in paths for code in _first_column(path)}) for name, paths in CODE_LISTS.items()
    }


def _first_column(seed: str) -> list[str]:
    with (REPO_ROOT / "seeds" / seed).open(encoding="utf-8", newline="") as rows:
        return [row[0] for row in list(csv.reader(rows))[1:] if row]


def redact(value: object) -> str:
    text = str(value)
    return REDACTED if _BSN_SHAPED.search(text) else text


def run_suite(frame: pd.DataFrame, suite_file: SuiteFile) -> ExpectationSuiteValidationResult:
    import great_expectations as gx
    from great_expectations.expectations.expectation_configuration import ExpectationConfiguration

    context = gx_context()
    suite = gx.ExpectationSuite(name=suite_file.table)
    for expectation in suite_file.expectations:
        suite.add_expectation_configuration(
            ExpectationConfiguration(type=expectation["type"], kwargs=expectation["kwargs"])
        )
    source_name = f"warehouse_{suite_file.table}"
    batch_definition = (
        context.data_sources.add_pandas(source_name)
        .add_dataframe_asset(suite_file.table)
        .add_batch_definition_whole_dataframe("whole_table")
    )
    try:
        batch = batch_definition.get_batch(batch_parameters={"dataframe": frame})
        result = batch.validate(suite, expectation_parameters=code_lists())
    finally:
        # The data source's execution engine keeps the frame and every metric it computed (row masks included) until
        # the source goes: about 500 MB after a national year's declaration lines, in a process that runs on.
        context.data_sources.delete(source_name)
    for outcome in result.results:
        details = outcome.result or {}
        for key in ("partial_unexpected_list", "unexpected_list"):
            if key in details:
                details[key] = [redact(value) for value in details[key]]
        for count in details.get("partial_unexpected_counts", []):
            count["value"] = redact(count["value"])
    return result


def failures_of(result: ExpectationSuiteValidationResult) -> list[Failure]:
    return [
        Failure(
            expectation=outcome.expectation_config.type,
            column=outcome.expectation_config.kwargs.get("column"),
            unexpected_count=(outcome.result or {}).get("unexpected_count"),
            examples=[str(value) for value in (outcome.result or {}).get("partial_unexpected_list", [])[:5]],
        )
        for outcome in result.results
        if not outcome.success
    ]


def validate(frame: pd.DataFrame, suite_file: SuiteFile) -> list[Failure]:
    """The expectations of suite_file that frame fails (empty when it passes)."""
    return failures_of(run_suite(frame, suite_file))

"""Great Expectations 1.x suites from expectations/*.json, validated against pandas DataFrames.

GX's SQL datasource over duckdb_engine returns empty results (DESIGN.md section 8), so tables are read from DuckDB
into pandas and validated there.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import great_expectations as gx
import pandas as pd
from great_expectations.data_context.types.base import ProgressBarsConfig
from great_expectations.expectations.expectation_configuration import ExpectationConfiguration


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
def _context():
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context


def validate(frame: pd.DataFrame, suite_file: SuiteFile) -> list[Failure]:
    """The expectations of suite_file that frame fails (empty when it passes)."""
    context = _context()
    suite = gx.ExpectationSuite(name=suite_file.table)
    for expectation in suite_file.expectations:
        suite.add_expectation_configuration(
            ExpectationConfiguration(type=expectation["type"], kwargs=expectation["kwargs"])
        )
    source_name = f"warehouse_{suite_file.table}"
    if source_name in context.data_sources.all():
        context.data_sources.delete(source_name)
    batch_definition = (
        context.data_sources.add_pandas(source_name)
        .add_dataframe_asset(suite_file.table)
        .add_batch_definition_whole_dataframe("whole_table")
    )
    result = batch_definition.get_batch(batch_parameters={"dataframe": frame}).validate(suite)
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

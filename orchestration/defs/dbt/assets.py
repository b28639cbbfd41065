"""dbt models as Dagster assets, in two steps so the KPI layer waits for every check on the star schema.

All models of one @dbt_assets definition run as one step, and a step only waits for checks upstream of the step
(DESIGN.md section 8). Splitting off the KPI models makes the blocking dbt tests and Great Expectations checks on the
marts a gate in front of kpi_values.
"""

import contextlib
import io
import json
from collections.abc import Callable, Iterator

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from orchestration.defs.dbt.project import warehouse_dbt_project
from orchestration.defs.dbt.translator import translator
from orchestration.defs.resources import WRITER_POOL, WarehouseResource
from orchestration.settings import DEFAULT_SUPPRESSION_THRESHOLD

KPI_SELECTION = "tag:kpi"
# Both steps read one manifest through one translator, and write DuckDB, so each takes the writer pool's slot.
DBT_STEP = {"manifest": warehouse_dbt_project.manifest_path, "dagster_dbt_translator": translator, "pool": WRITER_POOL}


@dbt_assets(exclude=KPI_SELECTION, name="star_schema", **DBT_STEP)
def star_schema(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
    yield from dbt_build(context, dbt, warehouse)


@dbt_assets(select=KPI_SELECTION, name="kpi_marts", **DBT_STEP)
def kpi_marts(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
    yield from dbt_build(context, dbt, warehouse)


def dbt_build(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource) -> Iterator:
    """`dbt build` of the step's selection, with the same vars and target folder for both steps; each table's
    materialization carries its row count, its columns and their lineage (dagster-dbt reads them through dbt's adapter
    once dbt is done, as DuckDB admits one writer).

    dbt parses the whole project again unless its last parse, kept in the target folder, saw the same vars and the
    same profile, which holds the warehouse's path; a new target folder per invocation (dagster-dbt's default) would
    parse everything at every step, so the warehouse keeps its own (docs/benchmarks.md)."""
    warehouse.export_for_dbt()
    settings = warehouse.settings()
    variables = dbt_vars(warehouse)
    invocation = dbt.cli(
        ["build", *(["--vars", json.dumps(variables)] if variables else [])],
        context=context,
        target_path=settings.dbt_target_dir,
    )
    events = invocation.stream().fetch_row_counts().fetch_column_metadata()
    try:
        yield from dbt_lines_to_debug(events, context.log.debug)
    finally:
        # The metadata is read through dbt-duckdb's adapter in this process; its connection holds the warehouse open
        # with the profile's configuration, and DuckDB then refuses the later steps' read-only connections.
        if invocation.adapter is not None:
            invocation.adapter.cleanup_connections()


def dbt_vars(warehouse: WarehouseResource) -> dict[str, int]:
    """dbt vars taken from the settings where they differ from dbt_project.yml's defaults: the suppression threshold of
    the public tier and of the steering signals' no_data (WAREHOUSE_SUPPRESSION_THRESHOLD). A default is left out, so
    the command line matches the parse `make manifest` made and dbt keeps that parse (tests/test_pipeline.py)."""
    threshold = warehouse.settings().suppression_threshold
    return {} if threshold == DEFAULT_SUPPRESSION_THRESHOLD else {"suppression_threshold": threshold}


class _LinesTo(io.TextIOBase):
    """A text stream handing each complete line to a callable."""

    def __init__(self, line: Callable[[str], None]):
        self._line, self._pending = line, ""

    def write(self, text: str) -> int:
        *lines, self._pending = (self._pending + text).split("\n")
        for line in lines:
            self._line(line)
        return len(text)


def dbt_lines_to_debug(events: Iterator, debug: Callable[[str], None]) -> Iterator:
    """events, with the lines dagster-dbt echoes from dbt to stdout (two per node) sent to the run's DEBUG log instead:
    the console (INFO, `make run`) keeps one line per step, the UI's run log and dbt.log keep every line. stdout is
    redirected only while dbt's events are read, never while Dagster handles one."""
    lines = _LinesTo(debug)
    while True:
        with contextlib.redirect_stdout(lines):
            event = next(events, None)
        if event is None:
            return
        yield event

"""dbt models as Dagster assets, in two steps so the KPI layer waits for every check on the star schema.

All models of one @dbt_assets definition run as one step, and a step only waits for checks upstream of the step
(DESIGN.md section 8). Splitting off the KPI models makes the blocking dbt tests and Great Expectations checks on the
marts a gate in front of kpi_values.
"""

import contextlib
import io
import json
import logging
import threading
import time
from collections.abc import Iterator

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets
from dbt.adapters.base import BaseAdapter

from orchestration.defs.dbt import build_state
from orchestration.defs.dbt.column_lineage import lineage_key, recorded, store_lineage, stored_lineage
from orchestration.defs.dbt.project import warehouse_dbt_project
from orchestration.defs.dbt.table_metadata import with_table_metadata
from orchestration.defs.dbt.translator import translator
from orchestration.defs.resources import WRITER_POOL, WarehouseResource
from orchestration.settings import DEFAULT_SUPPRESSION_THRESHOLD

KPI_SELECTION = "tag:kpi"
# Both steps read one manifest through one translator, and write DuckDB, so each takes the writer pool's slot.
DBT_STEP = {"manifest": warehouse_dbt_project.manifest_path, "dagster_dbt_translator": translator, "pool": WRITER_POOL}


@dbt_assets(exclude=KPI_SELECTION, name="star_schema", **DBT_STEP)
def star_schema(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
    yield from dbt_build(context, dbt, warehouse, column_lineage=True)


@dbt_assets(select=KPI_SELECTION, name="kpi_marts", **DBT_STEP)
def kpi_marts(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
    # Column lineage of the 86 KPI-step tables took longer than their build on the sample (docs/benchmarks.md).
    yield from dbt_build(context, dbt, warehouse, column_lineage=False)


def dbt_build(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource, column_lineage: bool
) -> Iterator:
    """`dbt build` of the step's selection, with the same vars and target folder for both steps; each table's
    materialization carries its row count and its columns, read for all built tables at once when dbt is done
    (DuckDB admits one writer), and with column_lineage their lineage (dagster-dbt's per-model fetch, which reads each
    model's and its parents' columns and runs sqlglot over the compiled SQL) or, on DuckDB, the lineage a whole
    build stored for the same code and source columns (column_lineage.py).

    dbt parses the whole project again unless its last parse, kept in the target folder, saw the same vars and the
    same profile, which holds the warehouse's path; a new target folder per invocation (dagster-dbt's default) would
    parse everything at every step, so the warehouse keeps its own (docs/benchmarks.md)."""
    warehouse.export_for_dbt()
    settings = warehouse.settings()
    variables = dbt_vars(warehouse)
    step = context.op_def.name
    # PostgreSQL keeps no build state, so its incremental models are built in full every time.
    current, code, full_refresh = None, None, True
    lineage_now, stored = None, None
    if settings.target == "duckdb":
        with warehouse.connect() as con:
            code = build_state.code_digest()
            # The sources cannot change between the steps of one run: the second takes the first's fingerprint.
            current = build_state.run_fingerprint(con, context.run_id) or build_state.fingerprint(con, variables, code)
            done = build_state.done_build(con, context.instance, current)
            if done is not None and context.run.tags.get(build_state.REBUILD_TAG) != "true":
                build_state.mark_reused(con, step, context.run_id)
                context.log.info(
                    f"{step}: nothing new for dbt since run {done.run_id} built every model ({done.built_at}): no dbt "
                    "run and no materialization, so the checks, the publication and the reports after it keep that "
                    f"run's (run tag {build_state.REBUILD_TAG}=true builds anyway)"
                )
                return
            full_refresh = build_state.built_with_code(con, step) != code
            build_state.forget(con, step)
            if column_lineage:
                manifest = json.loads(warehouse_dbt_project.manifest_path.read_text(encoding="utf-8"))
                lineage_now = lineage_key(con, manifest, code, variables)
                stored = stored_lineage(con, manifest, lineage_now)
        if full_refresh:
            context.log.info(f"{step}: a full refresh: no whole build of this dbt project and dbt version is on record")
    invocation = dbt.cli(
        [
            "build",
            # The unit tests check the models' SQL on fixed inputs, the same answer every refresh of one project: they
            # run in `make test` and CI (tests/test_dbt_docs.py), as dbt advises, not in every refresh.
            "--exclude-resource-type",
            "unit_test",
            *(["--vars", json.dumps(variables)] if variables else []),
            *(["--full-refresh"] if full_refresh else []),
        ],
        context=context,
        target_path=settings.dbt_target_dir,
    )
    events = invocation.stream()
    if column_lineage and stored is None:
        events = events.fetch_column_metadata(with_column_lineage=True)
    if lineage_now is not None:
        how = "computed: none is stored" if stored is None else "taken from the whole build that stored it"
        context.log.info(f"{step}: column lineage {how} for this code, these vars and these source columns")
    computed: dict[str, dg.TableColumnLineageMetadataValue] = {}
    try:
        with_metadata = with_table_metadata(dbt_lines_to_debug(events, DbtLines(context.log)), invocation, stored)
        yield from recorded(with_metadata, computed)
    finally:
        if invocation.adapter is not None:
            close_adapter(invocation.adapter)
    # Only a build of the step's whole selection stands for the fingerprint (a failed one raised above).
    if current is not None and not context.is_subset:
        with warehouse.connect() as con:
            build_state.remember(con, step, current, context.run_id, code)
            if lineage_now is not None and stored is None:
                store_lineage(con, invocation.manifest, lineage_now, computed)


def close_adapter(adapter: BaseAdapter) -> None:
    """Close what the metadata queries (table_metadata.py, dagster-dbt's lineage threads) opened through dbt's adapter
    in this process. dbt-duckdb keeps its database open past the connections, with the profile's configuration, and
    DuckDB then refuses every later connection to the file made with another one (the checks' read-only ones)."""
    adapter.cleanup_connections()
    if adapter.type() == "duckdb":
        # Imported here: a refresh whose dbt steps have nothing to build loads no dbt adapter.
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager

        # env() raises a bare Exception when no connection was ever opened (dbt failed first): nothing to close then.
        with contextlib.suppress(Exception):
            DuckDBConnectionManager.env().close()


def dbt_vars(warehouse: WarehouseResource) -> dict[str, int]:
    """dbt vars taken from the settings where they differ from dbt_project.yml's defaults: the suppression threshold of
    the public tier and of the steering signals' no_data (WAREHOUSE_SUPPRESSION_THRESHOLD). A default is left out, so
    the command line matches the parse `make manifest` made and dbt keeps that parse (tests/test_pipeline.py)."""
    threshold = warehouse.settings().suppression_threshold
    return {} if threshold == DEFAULT_SUPPRESSION_THRESHOLD else {"suppression_threshold": threshold}


PROGRESS_SECONDS = 30.0
"""How often a running dbt step puts its latest line on the console."""


class DbtLines(io.TextIOBase):
    """A text stream for the lines dagster-dbt echoes from dbt: they go to log's DEBUG together, one message at most
    every `every` seconds and at write_remaining(), with the latest of dbt's node lines ("96 of 190 START test ...")
    to its INFO, so a long build shows on the console that it moves without printing every node. Each log message is
    a row in the run's event log, written while dbt waits for its next line to be read: one message per line slowed
    the build (docs/benchmarks.md). dagster-dbt's metadata threads print into it too, hence the lock."""

    def __init__(self, log: logging.Logger | dg.DagsterLogManager, every: float = PROGRESS_SECONDS):
        self._log, self._every, self._pending = log, every, ""
        self._lock = threading.Lock()
        self._lines: list[str] = []
        self._next_progress = time.monotonic() + every

    def write(self, text: str) -> int:
        with self._lock:
            *lines, self._pending = (self._pending + text).split("\n")
            self._lines += lines
            if time.monotonic() >= self._next_progress:
                progress = [line for line in self._lines if line.split(" of ", 1)[0].isdigit()]
                self._write_lines()
                if progress:
                    self._log.info(f"dbt: {progress[-1].strip()}")
                self._next_progress = time.monotonic() + self._every
        return len(text)

    def write_remaining(self) -> None:
        """The lines not yet written, to DEBUG (flush() leaves them: dagster-dbt flushes after every line)."""
        with self._lock:
            self._write_lines()

    def _write_lines(self) -> None:
        if self._lines:
            self._log.debug("\n".join(self._lines))
            self._lines = []


def dbt_lines_to_debug(events: Iterator, lines: DbtLines) -> Iterator:
    """events, with what is printed to stdout meanwhile written to lines instead: dagster-dbt echoes dbt's lines (two
    per node), and dbt-duckdb prints a line for each relation dagster-dbt's metadata threads look for in vain (a
    test's). The console (INFO, `make run`) keeps a line now and then per step, the UI's run log and dbt.log keep every
    line. Dagster logs to stderr, so its own lines are not caught."""
    try:
        with contextlib.redirect_stdout(lines):
            yield from events
    finally:
        lines.write_remaining()

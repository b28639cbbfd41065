"""The quarterly close as Dagster assets: quarter x region partitions, one step that builds each quarter of the run
once (dbt with the var data_cut, into the closes DuckDB file) and freezes every region of it (orchestration/closes).

The step takes a range of partitions in one run (BackfillPolicy.single_run): a backfill of past quarters builds each
quarter once for all its regions, and `dg launch --job quarterly_close_job --partition-range` runs it from the CLI.
"""

import datetime as dt
import json
import os
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg
from dagster_dbt import DbtCliResource

from orchestration.closes import store
from orchestration.closes.quarters import default_as_of
from orchestration.defs.close.partitions import close_partitions, quarter_and_region
from orchestration.defs.dbt.assets import dbt_vars
from orchestration.defs.dbt.project import warehouse_dbt_project
from orchestration.defs.owners import CONTROL
from orchestration.defs.resources import WRITER_POOL, WarehouseResource
from orchestration.warehouse.schema import RAW_TABLES

CLOSE_GROUP = "quarterly_close"
BUILD_SELECTION = ["+tag:report", "+close_deliveries", "+close_data_cut", "+close_kpi_values", "+close_signals"]
"""What a close builds with the cut: the report layer and the close models (their upstream marts with them)."""
HISTORY_VIEWS = ["close_cut_pairs", "close_changes", "close_change_deliveries"]
"""Views over the history, made (after their unit tests) once the first close gave its tables their columns."""
KPI_VALUES = dg.AssetKey(["closes", "kpi_values"])
SIGNALS = dg.AssetKey(["closes", "signals"])
DELIVERIES = dg.AssetKey(["closes", "deliveries"])
REPORT = dg.AssetKey(["closes", "report"])
PARTITION_RANGE_TAGS = ("dagster/asset_partition_range_start", "dagster/asset_partition_range_end")
"""Dagster's system tags naming the first and last partition a run was launched for."""


class CloseConfig(dg.Config):
    as_of: str | None = None
    """The data cut to close at, 'YYYY-MM-DD': deliveries dated on or before it. Default: the day the quarter's close
    is due (WAREHOUSE_CLOSE_LAG_DAYS after its end), or today before then. A later date adds a new close of the
    quarter beside the earlier ones (close_changes lists what moved)."""


RAW_IJW = [dg.AssetKey(["raw", table.split(".")[1]]) for table in RAW_TABLES]
"""A close reads the live warehouse's landing tables (the rest of what it reads, dbt builds again from them)."""


def _spec(key: dg.AssetKey, description: str) -> dg.AssetSpec:
    # Skippable: a run of every asset (make run) has no partition and closes nothing.
    return dg.AssetSpec(
        key,
        group_name=CLOSE_GROUP,
        description=description,
        owners=[CONTROL],
        kinds={"duckdb"},
        skippable=True,
        deps=RAW_IJW,
    )


@dg.multi_asset(
    name="quarterly_close",
    specs=[
        _spec(KPI_VALUES, "Frozen KPI values of a quarter and region at its data cut (close_history.kpi_values)."),
        _spec(SIGNALS, "Frozen steering signals of a quarter and region at its data cut (close_history.signals)."),
        _spec(DELIVERIES, "The iJw deliveries a close saw, with their delivery dates (close_history.deliveries)."),
        _spec(
            REPORT,
            "The quarter's report page as it stood at the cut, WAREHOUSE_DIR/closes/reports/<region>/<quarter>/"
            "<data_cut>_<run_id>.html, and its rows (close_history.rpt_*), from which it renders again byte for byte.",
        ),
    ],
    partitions_def=close_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    pool=WRITER_POOL,
    description=(
        "The quarterly close of each quarter x region in the run: the dbt project built with the var data_cut into "
        "WAREHOUSE_DIR/closes/quarterly_closes.duckdb (the live warehouse is only read), its figures, signals, "
        "deliveries and report appended to the history there under the data cut and run id, never overwritten."
    ),
)
def quarterly_close(
    context: dg.AssetExecutionContext, config: CloseConfig, warehouse: WarehouseResource, dbt: DbtCliResource
):
    if not (context.has_partition_key or context.has_partition_key_range):
        context.log.info("no quarter x region partition in this run: nothing to close (quarterly_close_job closes)")
        return
    settings = warehouse.settings()
    regions_by_quarter: dict[str, list[str]] = defaultdict(list)
    for partition_key in _partition_keys(context):
        quarter, region_code = quarter_and_region(partition_key)
        regions_by_quarter[quarter].append(region_code)
    path = store.closes_path(settings.closes_dir)
    closes: list[store.Close] = []
    for quarter, region_codes in sorted(regions_by_quarter.items()):
        as_of = (
            dt.date.fromisoformat(config.as_of)
            if config.as_of
            else default_as_of(quarter, settings.close_lag_days, dt.date.today())
        )
        context.log.info(f"closing {quarter} for {', '.join(region_codes)} at deliveries dated up to {as_of}")
        store.prepare_build(settings.duckdb_path, path, settings.duckdb_memory_limit)
        _dbt(
            context,
            dbt,
            warehouse,
            as_of,
            ["build", "--select", " ".join(BUILD_SELECTION), "--indirect-selection", "cautious"],
        )
        closed_at = dt.datetime.now(dt.UTC)
        with store.connect(path, settings.duckdb_memory_limit) as con:
            for region_code in region_codes:
                closes.append(
                    store.freeze(
                        con, quarter, region_code, context.run_id, as_of, settings.closes_dir / "reports", closed_at
                    )
                )
        _dbt(context, dbt, warehouse, as_of, ["build", "--select", " ".join(HISTORY_VIEWS)])
    table = _closes_table(closes)
    yield dg.MaterializeResult(
        asset_key=KPI_VALUES, metadata={"closes": table, "path": dg.MetadataValue.path(str(path))}
    )
    yield dg.MaterializeResult(asset_key=SIGNALS, metadata={"closes": len(closes)})
    yield dg.MaterializeResult(asset_key=DELIVERIES, metadata={"deliveries": sum(close.deliveries for close in closes)})
    yield dg.MaterializeResult(
        asset_key=REPORT,
        metadata={
            "reports": dg.MetadataValue.md(
                "\n".join(f"- `{close.report_path}`" for close in closes if close.report_path) or "none"
            )
        },
    )


def _partition_keys(context: dg.AssetExecutionContext) -> list[str]:
    """The run's quarter x region keys, checked against the range the run was launched for.

    A backfill launched from quarterly_close_job's Partitions page (a job backfill) tags every run after the first
    with the first partition's quarter and region beside the run's own range, and Dagster resolves the partition from
    those tags (dagster-io/dagster#28861, Dagster 1.13): such a run would close another region than it was launched
    for, so it fails. A backfill of the asset group quarterly_close tags only the range (docs/operations.md)."""
    keys = sorted(str(key) for key in context.partition_keys)
    start, end = (context.run.tags.get(tag) for tag in PARTITION_RANGE_TAGS)
    if start and end:
        launched = sorted(close_partitions.get_partition_keys_in_range(dg.PartitionKeyRange(start, end)))
        if keys != launched:
            raise dg.Failure(
                f"This run was launched for {', '.join(launched)} but its partition tags name {', '.join(keys)}: "
                "a backfill from quarterly_close_job's Partitions page tags its runs wrongly (dagster-io/dagster"
                "#28861). Nothing was closed; launch the backfill from the asset group quarterly_close instead."
            )
    return keys


def _dbt(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource, as_of: dt.date, args: list
) -> None:
    """dbt on the closes file with the cut; its own target folder keeps the live warehouse's parse state apart."""
    warehouse.export_for_dbt()
    settings = warehouse.settings()
    # dbt reads the DuckDB path from the environment (dbt_project/profiles.yml); a close always builds on DuckDB.
    dbt_env = {"WAREHOUSE_DUCKDB_PATH": str(store.closes_path(settings.closes_dir)), "WAREHOUSE_TARGET": "duckdb"}
    with _environment(dbt_env):
        invocation = dbt.cli(
            [*args[:1], "--vars", json.dumps({**dbt_vars(warehouse), "data_cut": as_of.isoformat()}), *args[1:]],
            manifest=warehouse_dbt_project.manifest_path,
            target_path=settings.closes_dir / "dbt_target",
            raise_on_error=False,
        )
        invocation.wait()
    if not invocation.is_successful():
        raise dg.Failure(f"dbt {args[0]} of the close at {as_of} failed; see {settings.closes_dir / 'dbt_target'}")
    context.log.info(f"dbt {args[0]} of the close at {as_of}: done")


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    """Set environment variables for the block and put back what was there: later steps of the run read the live
    warehouse's path from them."""
    before = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _closes_table(closes: list[store.Close]) -> dg.TableMetadataValue:
    return dg.MetadataValue.table(
        records=[
            dg.TableRecord(
                {
                    "quarter": close.quarter,
                    "region": close.region_code,
                    "data_cut": str(close.data_cut),
                    "as_of": str(close.as_of),
                    "kpi_values": close.kpi_values,
                    "deliveries": close.deliveries,
                }
            )
            for close in closes
        ],
        schema=dg.TableSchema(
            columns=[
                dg.TableColumn("quarter"),
                dg.TableColumn("region"),
                dg.TableColumn("data_cut"),
                dg.TableColumn("as_of"),
                dg.TableColumn("kpi_values", "int"),
                dg.TableColumn("deliveries", "int"),
            ]
        ),
    )

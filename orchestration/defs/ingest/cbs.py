"""Ingest of CBS StatLine tables (one asset per dataset, loaded by the step of orchestration/defs/ingest/
cbs_and_budgets.py) from snapshot files in WAREHOUSE_LANDING_DIR/cbs/.

With CBS_MODE=online or auto the asset first pulls the table from CBS and writes it as a new snapshot file, so an
online run and a later offline rerun read exactly the same bytes (and the ledger holds their sha256).
"""

import datetime as dt
from pathlib import Path

import dagster as dg

from orchestration.cbs.client import CbsError, write_snapshot
from orchestration.cbs.datasets import STATISTICS_DATASETS, CbsDataset, online_filter, read_dataset_file
from orchestration.cbs.snapshot import MAX_SNAPSHOT_BYTES
from orchestration.defs.ingest.landed_source import IngestAsset, LandedSource
from orchestration.defs.resources import CbsResource
from orchestration.reference import scope_codes
from orchestration.warehouse.load import RawSource


def pull_snapshots(context: dg.AssetExecutionContext, cbs: CbsResource, dataset: CbsDataset, directory: Path) -> None:
    """Unless CBS_MODE is offline, the dataset's tables pulled from CBS as new snapshot files in directory."""
    if cbs.mode() == "offline":
        return
    client, stamp = cbs.client(), dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    for table_id in dataset.table_ids:
        try:
            bundle = client.snapshot(table_id, online_filter(scope_codes()))
        except CbsError as error:
            if cbs.mode() == "online":
                raise
            context.log.warning(f"CBS unreachable for {table_id} ({error}); using the snapshot files already landed")
            return
        context.log.info(f"pulled {table_id}: {len(bundle['TypedDataSet']['value'])} rows")
        write_snapshot(bundle, directory, f"{table_id}_{stamp}")


def cbs_source(dataset: CbsDataset) -> LandedSource:
    return LandedSource(
        IngestAsset(
            dg.AssetKey(["raw", f"cbs_{dataset.name}"]),
            f"{dataset.description}, from WAREHOUSE_LANDING_DIR/cbs/{{{','.join(dataset.table_ids)}}}*.json into "
            f"{dataset.raw_table}; bad records and files in audit.quarantine, one ledger row per snapshot file.",
            dataset.raw_table,
        ),
        RawSource(
            f"CBS:{dataset.table_ids[0]}",
            lambda path, data: read_dataset_file(path, dataset, data),
            dataset.raw_table,
            MAX_SNAPSHOT_BYTES,
        ),
        "cbs",
        ".json",
        dataset.claims,
        lambda landing: f"No CBS snapshot for {'/'.join(dataset.table_ids)} in {landing / 'cbs'}: source absent.",
        pull=lambda context, cbs, landing: pull_snapshots(context, cbs, dataset, landing / "cbs"),
    )


CBS_SOURCES = [cbs_source(dataset) for dataset in STATISTICS_DATASETS]

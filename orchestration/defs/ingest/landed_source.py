"""What every ingest step shares, and the one step of the file sources with a listing of their own (CBS snapshots,
Iv3, the region's budget).

An ingest step is one multi-asset with one AssetSpec per table it writes (IngestAsset), so each table keeps its key,
group, owner, description and its own materialization, and a user can materialize one alone (can_subset). A step
costs its events, a DuckDB connection and a listing even when nothing is new, so the file sources share one step,
one connection and one listing per folder, while each source's files still load in their own transactions
(orchestration/warehouse/load.py). A new file source is a reader, a LandedSource and its place in a step's list.
"""

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import duckdb

from orchestration.defs.ingest.ingest_metadata import RunRecords, column_schemas, ingest_metadata
from orchestration.defs.owners import DATA_ENGINEERING
from orchestration.defs.resources import WRITER_POOL, CbsResource, WarehouseResource
from orchestration.warehouse.landing_files import Listing, list_landing
from orchestration.warehouse.load import RawSource, ingest_listing, ledger_metadata

# What every ingest table's asset shows in the UI. Every ingest step writes DuckDB, so it takes the writer pool's one
# slot (pool=WRITER_POOL on the step).
INGEST_ASSET = {
    "group_name": "ingest",
    "owners": [DATA_ENGINEERING],
    "kinds": {"python", "duckdb"},
}


@dataclass(frozen=True)
class IngestAsset:
    """One ingest table's asset: its key, description, table, and the assets it loads after."""

    key: dg.AssetKey
    description: str
    table: str
    deps: tuple[dg.AssetKey, ...] = ()

    def spec(self) -> dg.AssetSpec:
        return dg.AssetSpec(self.key, deps=self.deps, description=self.description, **INGEST_ASSET)


@dataclass(frozen=True)
class Loaded:
    """What loading one asset's files reports: the ledger's figures (load.ledger_metadata, and any of its own) and the
    ledger's message types of its files."""

    metadata: dict[str, int | float]
    message_types: list[str]


def ingest_results(
    con: duckdb.DuckDBPyConnection, run_id: str, loads: list[tuple[IngestAsset, Loaded]]
) -> Iterator[dg.AssetMaterialization | dg.MaterializeResult]:
    """A materialization per loaded asset with its metadata, after those of the audit tables it appended to; the
    step's assets are described by one query each for the columns and for what the run appended."""
    columns = column_schemas(con, [asset.table for asset, _ in loads])
    records = RunRecords.read(con, run_id)
    for asset, loaded in loads:
        yield from records.audit_materializations(loaded.message_types, asset.key)
    for asset, loaded in loads:
        metadata = ingest_metadata(records, columns[asset.table], loaded.message_types, loaded.metadata)
        yield dg.MaterializeResult(asset_key=asset.key, metadata=metadata)


Pull = Callable[[dg.AssetExecutionContext, CbsResource, Path], None]
"""Fetches a source's files into the landing directory before they are listed (CBS online): (context, cbs, landing)."""


@dataclass(frozen=True)
class LandedSource:
    """A file source with a listing of its own: the regular files of landing/folder whose names end in suffix and that
    claims, loaded into source.table with one ledger row per file; absent(landing directory) is the warning when it
    lists nothing, and pull (CBS online) fetches its files first."""

    asset: IngestAsset
    source: RawSource
    folder: str
    suffix: str
    claims: Callable[[Path], bool]
    absent: Callable[[Path], str]
    pull: Pull | None = None

    def folder_listing(self, landing: Path) -> Listing:
        """Its folder's listing (every file with its suffix), which the sources of that folder share."""
        return list_landing(landing, self.folder, self.suffix, recursive=False)

    def listed(self, folder: Listing) -> Listing:
        """The files and odd entries of its folder's listing that this source claims."""
        return Listing(
            [landed for landed in folder.files if self.claims(Path(landed.path))],
            [odd for odd in folder.odd if self.claims(Path(odd.path))],
            folder.folder_problem,
        )


def landed_sources_step(name: str, sources: list[LandedSource]) -> dg.AssetsDefinition:
    """The ingest step (one op, named name) of sources: the selected ones pulled, each of their folders listed once,
    each source's files loaded, then a materialization per selected source."""

    @dg.multi_asset(name=name, specs=[source.asset.spec() for source in sources], can_subset=True, pool=WRITER_POOL)
    def _ingest(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource, cbs: CbsResource
    ) -> Iterator[dg.AssetMaterialization | dg.MaterializeResult]:
        landing = warehouse.settings().landing_dir
        selected = [source for source in sources if source.asset.key in context.selected_asset_keys]
        pull_seconds = [_pulled(context, cbs, source, landing) for source in selected]
        folders = {(source.folder, source.suffix): source.folder_listing(landing) for source in selected}
        with warehouse.connect() as con:
            loads = [
                (source.asset, _load(context, con, landing, source, folders[source.folder, source.suffix], seconds))
                for source, seconds in zip(selected, pull_seconds, strict=True)
            ]
            yield from ingest_results(con, context.run.run_id, loads)

    return _ingest


def _pulled(context: dg.AssetExecutionContext, cbs: CbsResource, source: LandedSource, landing: Path) -> float:
    """Seconds the source's pull took (none: 0)."""
    started = time.monotonic()
    if source.pull is not None:
        source.pull(context, cbs, landing)
    return time.monotonic() - started


def _load(
    context: dg.AssetExecutionContext,
    con: duckdb.DuckDBPyConnection,
    landing: Path,
    source: LandedSource,
    folder: Listing,
    pull_seconds: float,
) -> Loaded:
    """The source's files of its folder's listing loaded; the duration covers its pull and its load."""
    started = time.monotonic() - pull_seconds
    listed = source.listed(folder)
    if not listed.files:
        context.log.warning(source.absent(landing))
    entries = ingest_listing(con, listed, source.source, context.run.run_id, landing, context.log.warning)
    message_types = sorted({entry.message_type for entry in entries if entry.message_type})
    return Loaded(ledger_metadata(entries, time.monotonic() - started), message_types)

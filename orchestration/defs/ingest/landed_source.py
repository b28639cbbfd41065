"""One factory for every ingest asset of a landed source (iJw messages, CBS snapshots, Iv3, the region's budget): a
declaration per raw table (IngestAsset) and a load function make the asset, which reports each table's ledger figures,
its columns, its quarantine by reason code and its euros as the materialization's metadata, and what it appended to
the ledger and the quarantine. A new file source is a reader, a listing and a call of landed_source_asset."""

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import dagster as dg

from orchestration.defs.ingest.ingest_metadata import audit_materializations, ingest_metadata
from orchestration.defs.owners import DATA_ENGINEERING
from orchestration.defs.resources import WRITER_POOL, CbsResource, WarehouseResource
from orchestration.warehouse.landing_files import Listing
from orchestration.warehouse.load import RawSource, ingest_listing, ledger_metadata

# Every ingest asset writes DuckDB, so it takes the writer pool's one slot.
INGEST_ASSET = {
    "group_name": "ingest",
    "owners": [DATA_ENGINEERING],
    "pool": WRITER_POOL,
    "kinds": {"python", "duckdb"},
}


@dataclass(frozen=True)
class IngestAsset:
    """One raw table's asset: its key, description, table, and the assets it loads after."""

    key: dg.AssetKey
    description: str
    table: str
    deps: tuple[dg.AssetKey, ...] = ()


@dataclass(frozen=True)
class Loaded:
    """What loading one asset's files reports: the ledger's figures (load.ledger_metadata, and any of its own) and the
    ledger's message types of its files."""

    metadata: dict[str, int | float]
    message_types: list[str]


Load = Callable[[dg.AssetExecutionContext, WarehouseResource, CbsResource | None, list[IngestAsset]], list[Loaded]]
"""Loads the selected assets' files (context, warehouse, cbs, selected): one Loaded per selected asset, in order."""


def ingest_assets(name: str, assets: list[IngestAsset], load: Load, *, uses_cbs: bool = False) -> dg.AssetsDefinition:
    """The ingest step of assets (one op, named name): load, then a materialization per selected asset with its
    metadata, after those of the audit tables. uses_cbs: the step takes the CBS resource (it pulls first)."""
    specs = [
        dg.AssetSpec(
            asset.key,
            deps=asset.deps,
            description=asset.description,
            group_name=INGEST_ASSET["group_name"],
            owners=INGEST_ASSET["owners"],
            kinds=INGEST_ASSET["kinds"],
        )
        for asset in assets
    ]

    @dg.multi_asset(
        name=name,
        specs=specs,
        can_subset=len(specs) > 1,
        pool=INGEST_ASSET["pool"],
        required_resource_keys={"warehouse", *(["cbs"] if uses_cbs else [])},
    )
    def _ingest(context: dg.AssetExecutionContext) -> Iterator[dg.AssetMaterialization | dg.MaterializeResult]:
        warehouse: WarehouseResource = context.resources.warehouse
        cbs: CbsResource | None = context.resources.cbs if uses_cbs else None
        selected = [asset for asset in assets if asset.key in context.selected_asset_keys]
        loads = list(zip(selected, load(context, warehouse, cbs, selected), strict=True))
        run_id = context.run.run_id
        with warehouse.connect(read_only=True) as con:
            results = [
                dg.MaterializeResult(
                    asset_key=asset.key,
                    metadata=ingest_metadata(con, asset.table, run_id, loaded.message_types, loaded.metadata),
                )
                for asset, loaded in loads
            ]
            for asset, loaded in loads:
                yield from audit_materializations(con, run_id, loaded.message_types, asset.key)
        yield from results

    return _ingest


Pull = Callable[[dg.AssetExecutionContext, CbsResource, Path], None]
"""Fetches a source's files into the landing directory before they are listed (CBS online): (context, cbs, landing)."""


def landed_source_asset(
    key: dg.AssetKey,
    description: str,
    source: RawSource,
    listing: Callable[[Path], Listing],
    absent: Callable[[Path], str],
    pull: Pull | None = None,
) -> dg.AssetsDefinition:
    """The ingest asset of a file source with a listing of its own: listing(landing directory) loaded into
    source.table, one ledger row per file, and absent(landing directory) the warning when it lists nothing. Given
    pull, the asset takes the CBS resource and pulls first; the duration covers the pull and the listing."""

    def load(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource, cbs: CbsResource | None, _: list[IngestAsset]
    ) -> list[Loaded]:
        landing, started = warehouse.settings().landing_dir, time.monotonic()
        if pull is not None and cbs is not None:
            pull(context, cbs, landing)
        listed = listing(landing)
        if not listed.files:
            context.log.warning(absent(landing))
        with warehouse.connect() as con:
            entries = ingest_listing(con, listed, source, context.run.run_id, landing, context.log.warning)
        message_types = sorted({entry.message_type for entry in entries if entry.message_type})
        return [Loaded(ledger_metadata(entries, time.monotonic() - started), message_types)]

    asset = IngestAsset(key, description, source.table)
    return ingest_assets(key.to_python_identifier(), [asset], load, uses_cbs=pull is not None)

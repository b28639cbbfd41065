"""The ingest's own records as assets: every ingest asset appends to audit.ingest_ledger and audit.quarantine
(orchestration/warehouse/schema.py), and the audit tier (dbt models/publication/audit) reads them as dbt sources.

Each table has many writers (one per landed source), so neither is any one step's output: both are declared here
without a step, downstream of the ingest assets that append to them, and each of those that appended rows reports them
as a materialization of the table (orchestration/defs/ingest/ingest_metadata.py). The graph then reads ingest -> audit
table -> audit tier, and no second step claims to write either table."""

import dagster as dg

from orchestration.defs.ingest.cbs_and_budgets import cbs_and_budgets
from orchestration.defs.ingest.ijw import ASSETS as IJW_ASSETS
from orchestration.defs.ingest.ijw import INVENTORY_KEY
from orchestration.defs.ingest.ingest_metadata import LEDGER_KEY, QUARANTINE_KEY
from orchestration.defs.owners import DATA_ENGINEERING

_WRITERS = [*cbs_and_budgets.keys, *(asset.key for asset in IJW_ASSETS.values())]

ingest_ledger = dg.AssetSpec(
    key=LEDGER_KEY,
    # The inventory records the landing directory's odd entries (not a regular file, outside it) in the ledger.
    deps=[*_WRITERS, INVENTORY_KEY],
    group_name="ingest",
    owners=[DATA_ENGINEERING],
    kinds={"duckdb"},
    description=(
        "One row per landed file version the ingest read (a content met before: a duplicate row): records and cents "
        "read, accepted and quarantined."
    ),
)

quarantine = dg.AssetSpec(
    key=QUARANTINE_KEY,
    deps=_WRITERS,
    group_name="ingest",
    owners=[DATA_ENGINEERING],
    kinds={"duckdb"},
    description="Every record or file an ingest refused, with its reason and amount.",
)

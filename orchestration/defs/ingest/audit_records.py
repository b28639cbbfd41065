"""The ingest's own records as assets: every ingest asset appends to audit.ingest_ledger and audit.quarantine
(orchestration/warehouse/schema.py), and the audit tier (dbt models/publication/audit) reads them as dbt sources, so
they are named here rather than left as nameless external assets in the graph."""

import dagster as dg

from orchestration.defs.owners import DATA_ENGINEERING

ingest_ledger = dg.AssetSpec(
    key=dg.AssetKey(["audit", "ingest_ledger"]),
    group_name="ingest",
    owners=[DATA_ENGINEERING],
    kinds={"duckdb"},
    description="One row per landed file version and ingest run: records and cents read, accepted and quarantined.",
)

quarantine = dg.AssetSpec(
    key=dg.AssetKey(["audit", "quarantine"]),
    group_name="ingest",
    owners=[DATA_ENGINEERING],
    kinds={"duckdb"},
    description="Every record or file an ingest refused, with its reason and amount.",
)

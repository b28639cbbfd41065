"""Ingest of municipal budgets from WAREHOUSE_LANDING_DIR/budgets/, loaded by the step of orchestration/defs/ingest/
cbs_and_budgets.py: Iv3 snapshots (CBS dataderden, *.json) and the region's own budget per municipality, year and
perceel (*.csv). Formats: docs/budgets.md."""

from pathlib import Path

import dagster as dg

from orchestration.budgets.region_budget import MAX_FILE_BYTES as MAX_BUDGET_FILE_BYTES
from orchestration.budgets.region_budget import MESSAGE_TYPE, read_region_budget
from orchestration.cbs.datasets import IV3, read_dataset_file
from orchestration.cbs.snapshot import MAX_SNAPSHOT_BYTES
from orchestration.defs.ingest.landed_source import IngestAsset, LandedSource
from orchestration.defs.quality.wave import WaveCheck
from orchestration.defs.resources import WarehouseResource
from orchestration.reference import municipality_regions
from orchestration.warehouse.load import RawSource

IV3_KEY = dg.AssetKey(["raw", "cbs_iv3"])
REGION_BUDGET_KEY = dg.AssetKey(["raw", "budget_region_lines"])


def _every_file(_path: Path) -> bool:
    return True


IV3_SOURCE = LandedSource(
    IngestAsset(
        IV3_KEY,
        "Iv3 per municipality and taakveld (CBS dataderden snapshots, WAREHOUSE_LANDING_DIR/budgets/*.json) into "
        "raw.cbs_iv3: x EUR 1,000 as cents, 2ePlaatsing preferred, -99998 (geen opgave) kept as null.",
        IV3.raw_table,
    ),
    RawSource("CBS:IV3", lambda path, data: read_dataset_file(path, IV3, data), IV3.raw_table, MAX_SNAPSHOT_BYTES),
    "budgets",
    ".json",
    _every_file,
    lambda landing: f"No Iv3 snapshot in {landing / 'budgets'}: the Iv3 source is absent.",
)

REGION_BUDGET_SOURCE = LandedSource(
    IngestAsset(
        REGION_BUDGET_KEY,
        "The region's own budget per municipality, year and perceel (WAREHOUSE_LANDING_DIR/budgets/*.csv, ';' with "
        "decimal comma or ',' with decimal point) into raw.budget_region_lines; bad rows quarantined with their line.",
        "raw.budget_region_lines",
    ),
    RawSource(
        MESSAGE_TYPE,
        lambda path, data: read_region_budget(path, set(municipality_regions()), data),
        "raw.budget_region_lines",
        MAX_BUDGET_FILE_BYTES,
    ),
    "budgets",
    ".csv",
    _every_file,
    lambda landing: f"No region budget CSV in {landing / 'budgets'}: the source is absent.",
)

BUDGET_SOURCES = [IV3_SOURCE, REGION_BUDGET_SOURCE]


def evaluate_geen_opgave(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with warehouse.connect(read_only=True) as con:
        rows = con.execute(
            """
            select municipality_code, year, report_kind, coalesce(taakveld_code, taakveld_key), category
            from raw.cbs_iv3
            where run_id = ? and amount_cents is null and (amount_1e_no_data or amount_2e_no_data)
            order by all
            """,
            [context.run.run_id],
        ).fetchall()
    examples = ", ".join(" ".join(str(part) for part in row) for row in rows[:10])
    return dg.AssetCheckResult(
        passed=not rows,
        severity=dg.AssetCheckSeverity.WARN,
        description=(
            f"{len(rows)} Iv3 figures are 'geen opgave' (-99998) and stay null, e.g. {examples}"
            if rows
            else "no 'geen opgave' among the Iv3 figures of this run"
        ),
        metadata={"geen_opgave": len(rows)},
    )


# Run in the wave of checks after the ingest (orchestration/defs/quality/waves.py).
iv3_geen_opgave = WaveCheck(
    dg.AssetCheckSpec(
        name="iv3_geen_opgave",
        asset=IV3_KEY,
        blocking=False,
        description="Warns when municipalities reported 'geen opgave' (-99998) in Iv3: those amounts stay null.",
    ),
    evaluate_geen_opgave,
)

"""Freshness of deliveries: a warning when a municipality of the regions has sent nothing for too long.

A municipality's delivery is a landed iJw file holding its records (allocations, starts, stops, referral requests or
declarations); when it arrived is when the ingest first loaded it (the raw tables' ingested_at, from the same load as
the ingest ledger's row). The check warns (non-blocking) for every municipality of seeds/reference/municipalities.csv
whose latest delivery is older than WAREHOUSE_DELIVERY_STALE_DAYS. A municipality that never delivered is listed in
the metadata, not warned about: a region whose municipalities start delivering one by one is not late. It runs in the
wave of checks after the ingest (orchestration/defs/quality/waves.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import dagster as dg
import duckdb

from orchestration.defs.quality.wave import WaveCheck
from orchestration.defs.resources import WarehouseResource
from orchestration.reference import municipality_regions
from orchestration.warehouse.schema import RAW_TABLES

IJW_TABLES = [table for table in RAW_TABLES if table.startswith("raw.ijw_")]


@dataclass(frozen=True)
class Freshness:
    stale: dict[str, int]
    """Municipality code -> whole days since its latest delivery, for those past the limit."""
    latest: dict[str, dt.datetime]
    never_delivered: list[str]


def latest_deliveries(con: duckdb.DuckDBPyConnection) -> dict[str, dt.datetime]:
    """Municipality code -> when its latest delivered file was first loaded."""
    union = " union all ".join(
        f"select municipality_code, max(ingested_at) as ingested_at from {table} group by all"  # noqa: S608 - ours
        for table in IJW_TABLES
    )
    return dict(con.execute(f"select municipality_code, max(ingested_at) from ({union}) group by all").fetchall())  # noqa: S608


def judge(latest: dict[str, dt.datetime], municipalities: list[str], now: dt.datetime, days: int) -> Freshness:
    ages = {code: (now - latest[code]).days for code in municipalities if code in latest}
    return Freshness(
        stale={code: age for code, age in sorted(ages.items()) if age > days},
        latest={code: latest[code] for code in sorted(ages)},
        never_delivered=sorted(code for code in municipalities if code not in latest),
    )


def evaluate_freshness(_context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource) -> dg.AssetCheckResult:
    days = warehouse.settings().delivery_stale_days
    with warehouse.connect(read_only=True) as con:
        latest = latest_deliveries(con)
    freshness = judge(latest, sorted(municipality_regions()), dt.datetime.now(dt.UTC), days)
    return dg.AssetCheckResult(
        passed=not freshness.stale,
        severity=dg.AssetCheckSeverity.WARN,
        description=(
            f"No delivery for more than {days} days from: "
            + ", ".join(f"{code} ({age} days)" for code, age in freshness.stale.items())
            if freshness.stale
            else f"Every delivering municipality delivered within {days} days."
        ),
        metadata={
            "stale_after_days": days,
            "stale": ", ".join(freshness.stale),
            "latest_delivery": dg.MetadataValue.json(
                {code: moment.isoformat() for code, moment in freshness.latest.items()}
            ),
            "never_delivered": ", ".join(freshness.never_delivered),
        },
    )


delivery_freshness = WaveCheck(
    dg.AssetCheckSpec(
        name="delivery_freshness",
        asset=dg.AssetKey(["raw", "ijw_declaration_lines"]),
        additional_deps=[dg.AssetKey(table.split(".")) for table in IJW_TABLES if table != "raw.ijw_declaration_lines"],
        blocking=False,
        description=(
            "Warns when a municipality of the regions has delivered no iJw message for more than "
            "WAREHOUSE_DELIVERY_STALE_DAYS days (default 45), judged by when its latest file was loaded."
        ),
    ),
    evaluate_freshness,
)

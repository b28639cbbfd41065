"""The quarterly close's partitions: quarter x region, both static.

Regions come from seeds/reference/municipalities.csv, the regions this deployment reports for, versioned with the code:
every close partition shows in the UI before its first run, and a backfill can name any of them. Dynamic regions would
appear only once a sensor registered them from the data, and a region without data would never get a close saying so.
Quarters run from 2021-Q1 (iJw 3.x, CS100) through the quarter the code location is loaded in; the schedule closes a
quarter weeks after it ended, by when every load since holds it (docs/operations.md).
"""

import csv
import datetime as dt

import dagster as dg

from orchestration.closes.quarters import quarter_of, quarters_through
from orchestration.settings import REPO_ROOT

MUNICIPALITIES_SEED = REPO_ROOT / "seeds" / "reference" / "municipalities.csv"


def seed_regions() -> list[str]:
    with MUNICIPALITIES_SEED.open(encoding="utf-8", newline="") as seed:
        return sorted({row["region_code"] for row in csv.DictReader(seed) if row["region_code"]})


close_partitions = dg.MultiPartitionsDefinition(
    {
        "quarter": dg.StaticPartitionsDefinition(quarters_through(quarter_of(dt.date.today()))),
        "region": dg.StaticPartitionsDefinition(seed_regions()),
    }
)


def quarter_and_region(partition_key: str) -> tuple[str, str]:
    keys = close_partitions.get_partition_key_from_str(partition_key).keys_by_dimension
    return keys["quarter"], keys["region"]


def close_partition_key(quarter: str, region_code: str) -> dg.MultiPartitionKey:
    return dg.MultiPartitionKey({"quarter": quarter, "region": region_code})

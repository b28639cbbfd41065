"""Reference data the Python side shares with dbt: read from the same seed files dbt loads, so a code has one source."""

import csv
from pathlib import Path

from orchestration.settings import REPO_ROOT

MUNICIPALITIES_CSV = REPO_ROOT / "seeds" / "reference" / "municipalities.csv"
NATIONAL_SCOPE = "NL01"


def municipality_regions(path: Path = MUNICIPALITIES_CSV) -> dict[str, str]:
    """Municipality code (GM0392) -> jeugdzorgregio (JZ11) for the warehouse's municipalities."""
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["municipality_code"]: row["region_code"] for row in csv.DictReader(handle)}


def scope_codes() -> set[str]:
    """Every CBS region key the warehouse reports on: its municipalities, their regions and the Netherlands."""
    regions = municipality_regions()
    return set(regions) | set(regions.values()) | {NATIONAL_SCOPE}

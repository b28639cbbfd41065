"""Code lists the parser checks against, read from the dbt seeds so there is one source of truth for each list."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

CODELIST_DIR = Path(__file__).resolve().parents[2] / "seeds" / "codelists"


@cache
def codes(seed_name: str) -> frozenset[str]:
    """The values of the first column of seeds/codelists/<seed_name>.csv."""
    with (CODELIST_DIR / f"{seed_name}.csv").open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        next(reader)
        return frozenset(row[0] for row in reader if row)

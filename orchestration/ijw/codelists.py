"""Code lists the readers check against, read from the dbt seeds so there is one source of truth for each list."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

SEEDS_DIR = Path(__file__).resolve().parents[2] / "seeds"

# Product codes outside the national list are a region's own (docs/architecture.md, "Product codes"): the reader
# accepts both lists, as dim_product holds both.
EXTENDED_BY = {"reference/product_codes": ("reference/region_product_codes",)}


def _first_column(seed: str) -> frozenset[str]:
    with (SEEDS_DIR / f"{seed}.csv").open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        next(reader)
        return frozenset(row[0] for row in reader if row)


@cache
def codes(seed: str) -> frozenset[str]:
    """The values of the first column of seeds/<seed>.csv, e.g. codes('codelists/wj756_units'), with those of the
    seeds that extend it (EXTENDED_BY)."""
    return frozenset().union(*(_first_column(part) for part in (seed, *EXTENDED_BY.get(seed, ()))))

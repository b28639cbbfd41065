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


@cache
def column(seed: str, name: str) -> dict[str, str]:
    """Each code of seeds/<seed>.csv (its first column) -> its value in column name ('' where the list gives none),
    with those of the seeds that extend it (EXTENDED_BY), e.g. column('reference/product_codes',
    'product_category_code')."""
    values: dict[str, str] = {}
    for part in (seed, *EXTENDED_BY.get(seed, ())):
        with (SEEDS_DIR / f"{part}.csv").open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            key = reader.fieldnames[0]
            values.update({row[key]: row[name] or "" for row in reader if row[key]})
    return values

"""Code lists the readers check against, read from the dbt seeds so there is one source of truth for each list."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

SEEDS_DIR = Path(__file__).resolve().parents[2] / "seeds"

# Product codes outside the national list are a region's own (docs/architecture.md, "Product codes"): the reader
# accepts both lists, as dim_product holds both.
EXTENDED_BY = {"reference/product_codes": ("reference/region_product_codes",)}


@cache
def column(seed: str, name: str | None = None) -> dict[str, str]:
    """Each code of seeds/<seed>.csv (its first column) -> its value in column name ('' where the list gives none or no
    name is given), with those of the seeds that extend it (EXTENDED_BY), e.g. column('reference/product_codes',
    'product_category_code')."""
    values: dict[str, str] = {}
    for part in (seed, *EXTENDED_BY.get(seed, ())):
        with (SEEDS_DIR / f"{part}.csv").open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            key = reader.fieldnames[0]
            values.update({row[key]: (row[name] or "") if name else "" for row in reader if row[key]})
    return values

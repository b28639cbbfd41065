"""CBS period codes ('2023JJ00', '2023HJ01', '2023KW03') in the warehouse's period codes (DESIGN.md section 4)."""

from __future__ import annotations

import re
from dataclasses import dataclass

# The Jeugdwet took effect on 1 January 2015; youth-care figures and budgets are of its years (marts.fct_budget).
JEUGDWET_YEARS = range(2015, 2100)
_PERIOD = re.compile(r"^(?P<year>[0-9]{4})(?P<kind>JJ|HJ|KW)(?P<number>[0-9]{2})$")


@dataclass(frozen=True)
class Period:
    code: str
    """The CBS key, e.g. 2023HJ01."""
    period_type: str
    """year, half_year or quarter."""
    period: str
    """2023, 2023-H1 or 2023-Q1."""
    year: int


def parse_period(code: str) -> Period:
    """The period a CBS Perioden key stands for; ValueError for months, other kinds or impossible numbers."""
    key = code.strip()
    match = _PERIOD.match(key)
    if not match:
        raise ValueError(f"period {code!r} is not a CBS year (JJ00), half-year (HJ0n) or quarter (KW0n) key")
    year, kind, number = match["year"], match["kind"], int(match["number"])
    if kind == "JJ" and number == 0:
        return Period(key, "year", year, int(year))
    if kind == "HJ" and number in (1, 2):
        return Period(key, "half_year", f"{year}-H{number}", int(year))
    if kind == "KW" and 1 <= number <= 4:
        return Period(key, "quarter", f"{year}-Q{number}", int(year))
    raise ValueError(f"period {code!r}: {kind}{number:02d} is not a valid {kind} number")


def normalise_status(status: str | None) -> str | None:
    """CBS period status in lower case ('voorlopig', 'nader voorlopig', 'definitief'), None when absent."""
    if status is None or not status.strip():
        return None
    value = " ".join(status.split()).lower()
    if value not in STATUSES:
        raise ValueError(f"status {status!r} is not one of {', '.join(STATUSES)}")
    return value


STATUSES = ("voorlopig", "nader voorlopig", "definitief")

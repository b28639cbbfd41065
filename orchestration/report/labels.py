"""Dutch labels for the codes the report and the workbook show, and the quarter codes' arithmetic; numbers are
formatted by orchestration/formats.py."""

from __future__ import annotations

import re
from datetime import date

STATUS_NL = {"red": "rood", "amber": "oranje", "green": "groen", "no_data": "geen gegevens"}
NO_DATA_REASON_NL = {
    "suppressed": "kleine aantallen",
    "missing": "geen waarde",
    "no_base_year_value": "geen waarde in het basisjaar",
}
TREND_NL = {
    "improving": "verbetert",
    "worsening": "verslechtert",
    "stable": "stabiel",
    "insufficient_data": "te weinig gegevens",
}
TREND_ARROW = {"improving": "↗", "worsening": "↘", "stable": "→", "insufficient_data": "·"}
# Simons' Levers of Control as the Regiovisie names them (DESIGN.md section 1).
LEVER_NL = {
    "beliefs": "gedeelde waarden",
    "boundaries": "kaders en randvoorwaarden",
    "diagnostic": "data en informatie",
    "interactive": "interactie en dialoog",
}
SCOPE_NL = {
    "nl": "Nederland",
    "region": "regio",
    "municipality": "gemeente",
    "provider": "aanbieder",
    "care_form": "zorgvorm",
    "product_category": "productcategorie",
}
BOUNDARY_NL = {
    "within": "binnen budget",
    "warning": "waarschuwing",
    "breach": "overschrijding",
    "no_budget": "geen budget",
}
AGENDA_TYPE_NL = {
    "red_signal": "rood signaal",
    "amber_signal": "oranje signaal",
    "budget_breach": "budgetoverschrijding",
    "cap_warning": "omzetplafond",
}
UNIT_NL = {
    "count": "aantal",
    "percent": "%",
    "EUR": "euro",
    "EUR_per_client": "euro per jongere",
    "EUR_per_trajectory": "euro per traject",
    "days": "dagen",
}

_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")


def parse_quarter(quarter: str) -> tuple[int, int]:
    match = _QUARTER.match(quarter)
    if not match:
        raise ValueError(f"not a quarter code (YYYY-Qn): {quarter!r}")
    return int(match.group(1)), int(match.group(2))


def quarter_bounds(quarter: str) -> tuple[date, date]:
    """First and last day of the quarter."""
    year, number = parse_quarter(quarter)
    first = date(year, 3 * number - 2, 1)
    after = date(year + 1, 1, 1) if number == 4 else date(year, 3 * number + 1, 1)
    return first, date.fromordinal(after.toordinal() - 1)


def quarters_ending(quarter: str, count: int) -> list[str]:
    """The `count` quarters up to and including `quarter`, oldest first (the span of a signal's trend_values)."""
    year, number = parse_quarter(quarter)
    index = year * 4 + number - 1
    return [f"{i // 4}-Q{i % 4 + 1}" for i in range(index - count + 1, index + 1)]


def quarter_nl(quarter: str) -> str:
    year, number = parse_quarter(quarter)
    return f"{number}e kwartaal {year}"

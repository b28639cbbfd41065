"""Dutch numbers, money and percentages as people read them in the report, its charts and workbook, and the run
summary: one formatter, Babel with the CLDR forms of nl_NL (1.234,5; € 1.234; € -1.234; 12,3%), instead of
separators swapped by hand in each place.

CLDR puts a non-breaking space between the euro sign and the amount, so a table cell never breaks between them.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal, format_percent

LOCALE = "nl_NL"
MISSING = "–"
"""Shown for a figure that is missing or withheld."""


def _decimals(decimals: int) -> str:
    return "." + "0" * decimals if decimals else ""


def number_nl(value: float | Decimal | None, decimals: int = 0) -> str:
    """1234567.891, 2 -> '1.234.567,89'."""
    if value is None:
        return MISSING
    return format_decimal(value, format=f"#,##0{_decimals(decimals)}", locale=LOCALE)


def money_nl(euros: float | Decimal | None, decimals: int = 0, signed: bool = False) -> str:
    """Euros in CLDR nl's currency pattern (¤ #,##0.00;¤ -#,##0.00) with `decimals` decimals: 1234.56, 2 ->
    '€ 1.234,56'; -1500 -> '€ -1.500'; signed 2500 -> '€ +2.500'."""
    if euros is None:
        return MISSING
    digits = _decimals(decimals)
    plus = "+" if signed and euros > 0 else ""
    pattern = f"¤\xa0{plus}#,##0{digits};¤\xa0-#,##0{digits}"
    return format_currency(euros, "EUR", format=pattern, currency_digits=False, locale=LOCALE)


def euros_nl(cents: int | float | Decimal | None, signed: bool = False, decimals: int = 0) -> str:
    """Eurocents as euros, whole by default: 150000 -> '€ 1.500'."""
    return money_nl(None if cents is None else Decimal(cents) / 100, decimals, signed)


def percent_nl(fraction: float | Decimal | None, decimals: int = 1, signed: bool = False) -> str:
    """A fraction as a percentage: 0.123 -> '12,3%'; signed 0.31 -> '+31,0%'."""
    if fraction is None:
        return MISSING
    sign = "+" if signed and fraction > 0 else ""
    return sign + format_percent(fraction, format=f"#,##0{_decimals(decimals)}%", locale=LOCALE)


def kpi_value_nl(value: float | None, unit: str | None) -> str:
    """A KPI value in its catalogue unit (percent units hold 0-100), as a controller reads it."""
    if value is None:
        return MISSING
    if unit == "percent":
        return percent_nl(value / 100, 1)
    if unit in ("EUR", "EUR_per_client", "EUR_per_trajectory"):
        return money_nl(value)
    if unit == "days":
        return f"{number_nl(value)} dagen"
    return number_nl(value, 0 if float(value).is_integer() else 1)


def date_nl(day: date | None) -> str:
    """A date as Dutch text reads it: date(2024, 12, 31) -> '31 december 2024'."""
    if day is None:
        return MISSING
    return format_date(day, format="long", locale=LOCALE)

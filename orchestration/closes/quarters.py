"""Quarter codes ('2024-Q3') and the dates a close takes from them."""

from __future__ import annotations

import datetime as dt

FIRST_QUARTER = "2021-Q1"
"""iJw 3.x declarations start on 1 January 2021 (CS100): no close before that quarter."""


def quarter_of(day: dt.date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def quarter_end(quarter: str) -> dt.date:
    year, number = int(quarter[:4]), int(quarter[-1])
    after = dt.date(year + 1, 1, 1) if number == 4 else dt.date(year, 3 * number + 1, 1)
    return after - dt.timedelta(days=1)


def quarters_through(last: str, first: str = FIRST_QUARTER) -> list[str]:
    """Every quarter from `first` through `last`, in order."""
    quarters, day = [], quarter_end(first)
    while quarter_of(day) <= last:
        quarters.append(quarter_of(day))
        day = quarter_end(quarter_of(day + dt.timedelta(days=1)))
    return quarters


def close_date(quarter: str, lag_days: int) -> dt.date:
    """The day the quarter's close is due: lag_days after its last day."""
    return quarter_end(quarter) + dt.timedelta(days=lag_days)


def quarter_closing_on(day: dt.date, lag_days: int) -> str | None:
    """The quarter whose close is due on `day`, if any (lag_days before it is that quarter's last day)."""
    quarter = quarter_of(day - dt.timedelta(days=lag_days))
    return quarter if close_date(quarter, lag_days) == day else None


def default_as_of(quarter: str, lag_days: int, today: dt.date) -> dt.date:
    """The last delivery date a close takes in when none is given: the day its close is due, or today for a quarter
    whose close is not due yet."""
    return min(close_date(quarter, lag_days), today)

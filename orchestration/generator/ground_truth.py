"""The known answer, computed from the event model (never from the XML written, never from a warehouse).

Definitions are in docs/ground-truth.md; the comments below name the rule each function implements.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from statistics import fmean

from orchestration.generator.declarations import DeclarationFile
from orchestration.generator.model import Allocation, Window


@dataclass(frozen=True)
class Trajectory:
    bsn: str
    provider: str
    care_form: str
    start: dt.date
    end: dt.date | None
    """None while still running at the horizon."""

    def active_between(self, first_day: dt.date, last_day: dt.date) -> bool:
        return self.start <= last_day and (self.end is None or self.end >= first_day)


def quarter_of(day: dt.date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def quarter_bounds(quarter: str) -> tuple[dt.date, dt.date]:
    year, number = int(quarter[:4]), int(quarter[-1])
    first = dt.date(year, 3 * number - 2, 1)
    following = dt.date(year + 1, 1, 1) if number == 4 else dt.date(year, 3 * number + 1, 1)
    return first, following - dt.timedelta(days=1)


def quarters_in(window: Window) -> list[str]:
    quarters, day = [], window.first_day
    while day <= window.last_day:
        quarters.append(quarter_of(day))
        day = quarter_bounds(quarters[-1])[1] + dt.timedelta(days=1)
    return quarters


def merged_trajectories(allocations: list[Allocation], horizon: dt.date) -> list[Trajectory]:
    """CBS rule: episodes of one client, provider and care form that overlap (inclusive; an open end overlaps all
    that follows) merge into one trajectory from the first start to the last end, open if any episode is open."""
    episodes: dict[tuple[str, str, str], list[tuple[dt.date, dt.date | None]]] = {}
    for allocation in allocations:
        if allocation.allocated_by(horizon) and allocation.started_by(horizon):
            end = allocation.end_on if allocation.ended_by(horizon) else None
            key = (allocation.bsn, allocation.provider, allocation.product.care_form)
            episodes.setdefault(key, []).append((allocation.start_on, end))
    trajectories = []
    for (bsn, provider, care_form), spans in episodes.items():
        spans.sort(key=lambda span: span[0])
        start, end = spans[0]
        for next_start, next_end in spans[1:]:
            if end is None or next_start <= end:
                end = None if end is None or next_end is None else max(end, next_end)
            else:
                trajectories.append(Trajectory(bsn, provider, care_form, start, end))
                start, end = next_start, next_end
        trajectories.append(Trajectory(bsn, provider, care_form, start, end))
    return trajectories


def _mean(values: list[int]) -> float | None:
    return fmean(values) if values else None


def net_declared_cents_by_quarter(files: list[DeclarationFile]) -> Counter[str]:
    """Signed sum of fault-free lines by the quarter of their ProductPeriode Begindatum."""
    totals: Counter[str] = Counter()
    for declaration in files:
        if declaration.fault is None:
            for planned in declaration.lines:
                if planned.fault is None:
                    totals[quarter_of(planned.line.period_start)] += planned.line.amount_cents
    return totals


def municipality_quarters(
    municipality_code: str, allocations: list[Allocation], files: list[DeclarationFile], window: Window
) -> list[dict]:
    horizon = window.last_day
    trajectories = merged_trajectories(allocations, horizon)
    cents = net_declared_cents_by_quarter(files)
    allocated = [a for a in allocations if a.allocated_by(horizon)]
    figures = []
    for quarter in quarters_in(window):
        first, last = quarter_bounds(quarter)
        started = [t for t in trajectories if first <= t.start <= last]
        ended = [t for t in trajectories if t.end is not None and first <= t.end <= last]
        in_quarter = [a for a in allocated if first <= a.allocated_on <= last]
        requested = [a for a in in_quarter if a.request_on is not None]
        with_start = [a for a in in_quarter if a.started_by(horizon)]
        figures.append(
            {
                "municipality_code": municipality_code,
                "quarter": quarter,
                "net_declared_cents": cents.get(quarter, 0),
                "unique_clients": len({t.bsn for t in trajectories if t.active_between(first, last)}),
                "trajectories_started": dict(sorted(Counter(t.care_form for t in started).items())),
                "trajectories_ended": dict(sorted(Counter(t.care_form for t in ended).items())),
                "mean_duration_days_ended": _mean([(t.end - t.start).days for t in ended if t.end is not None]),
                "allocations_by_referrer": dict(sorted(Counter(a.referrer_type for a in in_quarter).items())),
                "mean_days_request_to_allocation": _mean(
                    [(a.allocated_on - a.request_on).days for a in requested if a.request_on is not None]
                ),
                "mean_days_allocation_to_start": _mean([(a.start_on - a.allocated_on).days for a in with_start]),
            }
        )
    return figures


def municipality_years(
    municipality_code: str, youth_population: int, scale: float, allocations: list[Allocation], window: Window
) -> list[dict]:
    """Share of youth in care per calendar year (clients with a trajectory active in the part of the year in the
    window, over the youth population times the scale): the calibration target of 8-12%."""
    trajectories = merged_trajectories(allocations, window.last_day)
    figures = []
    for year in range(window.first_day.year, window.last_day.year + 1):
        first, last = max(window.first_day, dt.date(year, 1, 1)), min(window.last_day, dt.date(year, 12, 31))
        clients = len({t.bsn for t in trajectories if t.active_between(first, last)})
        figures.append(
            {
                "municipality_code": municipality_code,
                "year": year,
                "youth_population": youth_population,
                "clients_in_care": clients,
                "share_of_youth_in_care": clients / (youth_population * scale),
            }
        )
    return figures

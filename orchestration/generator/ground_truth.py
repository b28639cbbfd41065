"""The known answer, computed from the event model (never from the XML written, never from a warehouse).

Definitions are in docs/ground-truth.md; the comments below name the rule each function implements.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from statistics import fmean

from orchestration.generator import calibration as cal
from orchestration.generator.declarations import DeclarationFile
from orchestration.generator.model import Allocation, Window, omvang


@dataclass(frozen=True)
class Trajectory:
    bsn: str
    provider: str
    care_form: str
    start: dt.date
    end: dt.date | None
    """None while still running at the horizon."""
    end_reason: str | None = None
    """JZ588 reason of the episode that ends last (the highest allocation number of those ending that day)."""

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


ONE_DAY = dt.timedelta(days=1)


def merged_trajectories(allocations: list[Allocation], horizon: dt.date) -> list[Trajectory]:
    """CBS rule: a trajectory is an uninterrupted period of care of one client at one provider in one care form.
    Sorted by start, an episode joins the trajectory when it starts on or before the day after the latest end so far
    (an open end runs on past all that follows); a whole day without care starts a new one. The trajectory runs from
    the first start to the last end, open if any episode is open, and takes the end reason of the episode ending
    last."""
    episodes: dict[tuple[str, str, str], list[tuple[dt.date, dt.date | None, int, str]]] = {}
    for allocation in allocations:
        if allocation.allocated_by(horizon) and allocation.started_by(horizon):
            end = allocation.end_on if allocation.ended_by(horizon) else None
            key = (allocation.bsn, allocation.provider, allocation.product.care_form)
            episodes.setdefault(key, []).append((allocation.start_on, end, allocation.number, allocation.end_reason))
    trajectories = []
    for (bsn, provider, care_form), spans in episodes.items():
        spans.sort(key=lambda span: span[0])
        start, end, number, reason = spans[0]
        for next_start, next_end, next_number, next_reason in spans[1:]:
            if end is None or next_start <= end + ONE_DAY:
                if end is None or next_end is None:
                    end = None
                elif (next_end, next_number) > (end, number):
                    end, number, reason = next_end, next_number, next_reason
            else:
                trajectories.append(Trajectory(bsn, provider, care_form, start, end, reason))
                start, end, number, reason = next_start, next_end, next_number, next_reason
        trajectories.append(Trajectory(bsn, provider, care_form, start, end, reason if end is not None else None))
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
                "mean_days_allocation_to_start": _mean(
                    [(a.start_on - a.allocated_on).days for a in with_start if a.start_on >= a.allocated_on]
                ),
            }
        )
    return figures


def municipality_years(
    municipality_code: str, youth_population: int, allocations: list[Allocation], window: Window
) -> list[dict]:
    """Share of youth in care per calendar year (clients with a trajectory active in the part of the year in the
    window, over the world's youth population, which is the calibrated one times the scale and the figure of the
    world's CBS population snapshot): the calibration target of 8-12%."""
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
                "share_of_youth_in_care": clients / youth_population,
            }
        )
    return figures


REFERRER_TYPES = ("01", "02", "03", "04", "05", "06", "08")
"""COD327: kpi_values carries a share for every referrer type, zero included."""
STAYS, FAMILY_STAYS, CLOSED = {"11", "12", "13", "14"}, {"11", "12"}, "13"
PLEEGZORG, GEZINSHUIS = "11", "12"
# JZ588: the five reasons CBS counts (Beleidsinformatie Jeugd protocol 3.7) and the administrative iJw reasons.
CBS_END_REASONS, ADMINISTRATIVE_END_REASONS = ("31", "32", "33", "34", "35"), ("20", "36", "37", "38", "39")
REPEAT_LOOKBACK_YEARS = 5


def periods_in(window: Window) -> list[tuple[str, str, dt.date, dt.date]]:
    """(period_type, period, first day, last day) of the quarters, half-years and years wholly inside the window:
    a period cut by the window would miss the traffic before it."""
    quarters = quarters_in(window)
    periods = [("quarter", quarter, *quarter_bounds(quarter)) for quarter in quarters]
    for year in sorted({int(quarter[:4]) for quarter in quarters}):
        for half, numbers in (("H1", (1, 2)), ("H2", (3, 4))):
            if all(f"{year}-Q{n}" in quarters for n in numbers):
                periods.append(
                    (
                        "half_year",
                        f"{year}-{half}",
                        dt.date(year, 3 * numbers[0] - 2, 1),
                        quarter_bounds(f"{year}-Q{numbers[1]}")[1],
                    )
                )
        if all(f"{year}-Q{n}" in quarters for n in (1, 2, 3, 4)):
            periods.append(("year", str(year), dt.date(year, 1, 1), dt.date(year, 12, 31)))
    return periods


def covered_periods_in(window: Window, files: list[DeclarationFile]) -> list[tuple[str, str, dt.date, dt.date]]:
    """periods_in, kept where the municipality's data covers the period (docs/kpis.md, Coverage): it starts on or after
    the first quarter with a fault-free declaration line (by ProductPeriode Begindatum) and one of its quarters has
    one."""
    delivered = {quarter_bounds(quarter_of(line.period_start))[0] for line in fault_free_lines(files)}
    if not delivered:
        return []
    return [
        (period_type, period, first, last)
        for period_type, period, first, last in periods_in(window)
        if first >= min(delivered) and any(first <= quarter <= last for quarter in delivered)
    ]


def _kpi(kpi_id: str, scope: tuple[str, str], period: tuple[str, str], value, numerator, denominator=None) -> dict:
    return {
        "kpi_id": kpi_id,
        "scope_type": scope[0],
        "scope_code": scope[1],
        "period_type": period[0],
        "period": period[1],
        "value": value,
        "numerator": numerator,
        "denominator": denominator,
    }


def _rate(kpi_id: str, scope: tuple[str, str], period: tuple[str, str], part: int, whole: int) -> list[dict]:
    return [_kpi(kpi_id, scope, period, 100 * part / whole, part, whole)] if whole else []


def fault_free_lines(files: list[DeclarationFile]):
    for declaration in files:
        if declaration.fault is None:
            for planned in declaration.lines:
                if planned.fault is None:
                    yield planned.line


def declared_volumes(files: list[DeclarationFile]) -> dict[int, Counter[dt.date]]:
    """Net declared volume per allocation and product period start: fault-free debits that no fault-free credit
    cancels (a credit cancels its debit's whole volume; the corrected debit that follows counts in full)."""
    lines = list(fault_free_lines(files))
    credited = {line.previous_reference_number for line in lines if line.previous_reference_number is not None}
    volumes: dict[int, Counter[dt.date]] = {}
    for line in lines:
        if line.previous_reference_number is None and line.reference_number not in credited:
            volumes.setdefault(line.allocation_number, Counter())[line.period_start] += line.volume
    return volumes


def allocated_volume(allocation: Allocation, first: dt.date, last: dt.date) -> Fraction:
    """The allocation's Omvang pro-rated over the days of [first, last] inside its validity (Toewijzingsdatum to
    Einddatum): per week volume x days / 7, per month volume x days / days in that month (docs/kpis.md)."""
    volume, _, frequency = omvang(allocation)
    start, end = max(first, allocation.allocated_on), min(last, allocation.planned_until)
    if start > end:
        return Fraction(0)
    if frequency == "2":
        return Fraction(volume * ((end - start).days + 1), 7)
    total, day = Fraction(0), start
    while day <= end:
        month_days = calendar.monthrange(day.year, day.month)[1]
        month_last = min(end, day.replace(day=month_days))
        total += Fraction(volume * ((month_last - day).days + 1), month_days)
        day = month_last + dt.timedelta(days=1)
    return total


def _two_decimals(value: Fraction) -> float:
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return float(exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def realisation_rows(
    scope: tuple[str, str], key: tuple[str, str], allocations: list[Allocation], volumes, first: dt.date, last: dt.date
) -> list[dict]:
    """realisation_share: declared volume over allocated volume, in percent, of the volume allocations (not unit 83)."""
    allocated, declared = Fraction(0), 0
    for allocation in allocations:
        if allocation.product.unit_code == "83":
            continue
        allocated += allocated_volume(allocation, first, last)
        months = volumes.get(allocation.number, {})
        declared += sum(volume for period_start, volume in months.items() if first <= period_start <= last)
    if allocated <= 0:
        return []
    value = float(100 * declared / allocated)
    return [_kpi("realisation_share", scope, key, value, declared, _two_decimals(allocated))]


def year_costs(files: list[DeclarationFile], window: Window) -> dict[tuple[int, str], int]:
    """Net cents of fault-free lines per year of the product period and perceel (seed perceel_mapping)."""
    products = {item.code: item for item in cal.products()}
    totals: Counter[tuple[int, str]] = Counter()
    for line in fault_free_lines(files):
        product = products.get(line.product_code)
        perceel = cal.perceel_of(product) if product is not None else "Overig"
        totals[(line.period_start.year, perceel)] += line.amount_cents
    return dict(totals)


def provider_revenue(files: list[DeclarationFile]) -> Counter[tuple[str, int]]:
    totals: Counter[tuple[str, int]] = Counter()
    for declaration in files:
        if declaration.fault is None:
            for planned in declaration.lines:
                if planned.fault is None:
                    totals[(declaration.provider, planned.line.period_start.year)] += planned.line.amount_cents
    return totals


def full_years(window: Window) -> list[int]:
    return [
        year
        for year in range(window.first_day.year, window.last_day.year + 1)
        if window.first_day <= dt.date(year, 1, 1) and dt.date(year, 12, 31) <= window.last_day
    ]


def declaration_lag_profile() -> dict:
    """What calibration.DECLARATION_LAG_MIX implies for the warehouse's lag profile: a month's file is dated
    1 + lag months after the service month, so the share declared by the end of month service + a is the mix's
    cumulative share up to lag a - 1 (nothing in the service month itself)."""
    mix = cal.DECLARATION_LAG_MIX
    by_age = {age: sum(share for lag, share in mix.items() if lag <= age - 1) for age in range(max(mix) + 3)}
    return {
        "lag_months_after_month_end": {str(lag): share for lag, share in mix.items()},
        "share_declared_by_age_months": {str(age): round(share, 10) for age, share in by_age.items()},
        "unit": "declaration file (one provider, municipality and service month), lags drawn independently",
    }


WAITING_DAYS = 28
"""The dbt var waiting_days at its default (docs/kpis.md)."""


def waiting_rows(
    scope: tuple[str, str], key: tuple[str, str], allocations: list[Allocation], horizon: dt.date, counted_on: dt.date
) -> list[dict]:
    """requests_waiting: JW315 requests written (requested by the horizon, with a ReferentieAanbieder) at least
    WAITING_DAYS before counted_on whose allocation was not made by then; allocations_waiting: allocations made at
    least WAITING_DAYS before counted_on, not started by then and valid to it. Rows only where either is waiting."""
    since = counted_on - dt.timedelta(days=WAITING_DAYS)
    requests = sum(
        a.requested_by(horizon)
        and a.provider_reference is not None
        and a.request_on <= since
        and not (a.allocated_by(horizon) and a.allocated_on <= counted_on)
        for a in allocations
    )
    unstarted = sum(
        a.allocated_by(horizon)
        and a.allocated_on <= since
        and not (a.started_by(horizon) and a.start_on <= counted_on)
        and a.planned_until >= counted_on
        for a in allocations
    )
    if not requests and not unstarted:
        return []
    return [
        _kpi("requests_waiting", scope, key, requests, requests),
        _kpi("allocations_waiting", scope, key, unstarted, unstarted),
    ]


def municipality_kpis(
    municipality_code: str,
    allocations: list[Allocation],
    files: list[DeclarationFile],
    window: Window,
    youth_0_22: int,
    birth_year: Callable[[str], int],
) -> list[dict]:
    """kpi_values rows (docs/kpis.md definitions) of one municipality for the periods wholly inside the window that its
    data covers, for the KPIs the event model knows: trajectory levels, cost, duration, end reasons, referrals, lead
    times, stays and the share of youth 0-22 in care (youth_0_22: the world's CBS youth 0-22 of the municipality,
    every year)."""
    horizon = window.last_day
    trajectories = merged_trajectories(allocations, horizon)
    allocated = [a for a in allocations if a.allocated_by(horizon)]
    volumes = declared_volumes(files)
    # A trajectory started in crisis when an episode it starts with is a crisis product (JZ020 category 46).
    first_categories: dict[tuple[str, str, str, dt.date], set[str]] = {}
    for a in allocated:
        if a.started_by(horizon):
            first_categories.setdefault((a.bsn, a.provider, a.product.care_form, a.start_on), set()).add(
                a.product.category
            )
    scope = ("municipality", municipality_code)
    rows: list[dict] = []
    for period_type, period, first, last in covered_periods_in(window, files):
        key = (period_type, period)
        active = [t for t in trajectories if t.active_between(first, last)]
        started = [t for t in trajectories if first <= t.start <= last]
        ended = [t for t in trajectories if t.end is not None and first <= t.end <= last]
        declared = [
            planned.line.amount_cents
            for declaration in files
            if declaration.fault is None
            for planned in declaration.lines
            if planned.fault is None and first <= planned.line.period_start <= last
        ]
        in_period = [a for a in allocated if first <= a.allocated_on <= last]
        requested = [a for a in in_period if a.request_on is not None]
        with_start = [a for a in in_period if a.started_by(horizon)]
        stays = [t for t in active if t.care_form in STAYS]
        if active:
            clients = len({t.bsn for t in active})
            rows.append(_kpi("clients_in_care", scope, key, clients, clients))
            rows.append(_kpi("trajectories_active", scope, key, len(active), len(active)))
            # 0-22 on 1 January of the period's year (CBS's jeugdhulp band): born in the 23 calendar years before it.
            young = len({t.bsn for t in active if 1 <= int(period[:4]) - birth_year(t.bsn) <= 23})
            rows.append(_kpi("clients_in_care_0_22", scope, key, young, young))
            rows += _rate("youth_in_care_share", scope, key, young, youth_0_22)
            closed = len({t.bsn for t in active if t.care_form == CLOSED})
            rows.append(_kpi("closed_placements", scope, key, closed, closed))
            rows += _rate(
                "family_setting_share", scope, key, sum(t.care_form in FAMILY_STAYS for t in stays), len(stays)
            )
            rows += _rate("pleegzorg_share", scope, key, sum(t.care_form == PLEEGZORG for t in stays), len(stays))
            rows += _rate("gezinshuis_share", scope, key, sum(t.care_form == GEZINSHUIS for t in stays), len(stays))
        if started:
            rows.append(_kpi("trajectories_started", scope, key, len(started), len(started)))
            out_of_home = sum(t.care_form in STAYS for t in started)
            rows.append(_kpi("out_of_home_placements_started", scope, key, out_of_home, out_of_home))
            in_crisis = sum(
                cal.CRISIS_CATEGORY in first_categories[t.bsn, t.provider, t.care_form, t.start] for t in started
            )
            rows.append(_kpi("trajectories_started_in_crisis", scope, key, in_crisis, in_crisis))
        if ended:
            days = [(t.end - t.start).days for t in ended if t.end is not None]
            rows.append(_kpi("trajectories_ended", scope, key, len(ended), len(ended)))
            rows.append(_kpi("mean_duration_days_ended", scope, key, sum(days) / len(days), sum(days), len(days)))
            rows += _rate("ended_long_duration_share", scope, key, sum(d >= 365 for d in days), len(days))
            reasons = Counter(t.end_reason for t in ended)
            counted_by_cbs = sum(reasons[reason] for reason in CBS_END_REASONS)
            rows += _rate("ended_according_to_plan_share", scope, key, reasons["31"], counted_by_cbs)
            rows += _rate("early_termination_share", scope, key, reasons["32"] + reasons["33"], counted_by_cbs)
            administrative = sum(reasons[reason] for reason in ADMINISTRATIVE_END_REASONS)
            rows += _rate("ended_administrative_share", scope, key, administrative, len(ended))
        if declared:
            rows.append(_kpi("net_declared_cost", scope, key, sum(declared) / 100, sum(declared)))
        if in_period:
            rows.append(_kpi("allocations", scope, key, len(in_period), len(in_period)))
            for referrer in REFERRER_TYPES:
                referred = sum(a.referrer_type == referrer for a in in_period)
                rows += _rate(f"referrer_share_{referrer}", scope, key, referred, len(in_period))
        if requested:
            waits = [(a.allocated_on - a.request_on).days for a in requested if a.request_on is not None]
            rows.append(
                _kpi("mean_days_request_to_allocation", scope, key, sum(waits) / len(waits), sum(waits), len(waits))
            )
        # Care started before its allocation was made (an allocation made afterwards) has no lead time.
        waits = [(a.start_on - a.allocated_on).days for a in with_start if a.start_on >= a.allocated_on]
        if waits:
            rows.append(
                _kpi("mean_days_allocation_to_start", scope, key, sum(waits) / len(waits), sum(waits), len(waits))
            )
        rows += realisation_rows(scope, key, allocated, volumes, first, last)
        rows += waiting_rows(scope, key, allocations, horizon, last)
    return rows


def _years_before(day: dt.date, years: int) -> dt.date:
    """The same day `years` earlier; 29 February becomes 28 February in a common year, as SQL date arithmetic does."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def is_repeat(trajectory: Trajectory, of_client: Iterable[Trajectory]) -> bool:
    """CBS herhaald beroep: the client had care in the 5 years before the start, with at least one whole day without
    care before it; a start that follows on from care the day before (at any provider, in any care form) is none."""
    day_before = trajectory.start - ONE_DAY
    lookback_from = _years_before(trajectory.start, REPEAT_LOOKBACK_YEARS)
    running, earlier = False, False
    for other in of_client:
        running |= other.start < trajectory.start and (other.end is None or other.end >= day_before)
        earlier |= other.end is not None and lookback_from <= other.end < day_before
    return earlier and not running


def repeat_care_kpis(trajectories_by_municipality: dict[str, list[Trajectory]], window: Window) -> list[dict]:
    """repeat_care_share rows per municipality and period wholly inside the window. A client is a BSN across the
    whole world (a test BSN may serve municipalities in two regions), so earlier care is sought in every
    municipality's trajectories, as the warehouse sees one client key."""
    of_client: dict[str, list[Trajectory]] = defaultdict(list)
    for trajectories in trajectories_by_municipality.values():
        for trajectory in trajectories:
            of_client[trajectory.bsn].append(trajectory)
    rows: list[dict] = []
    for code, trajectories in trajectories_by_municipality.items():
        for period_type, period, first, last in periods_in(window):
            started = [t for t in trajectories if first <= t.start <= last]
            repeats = sum(is_repeat(t, of_client[t.bsn]) for t in started)
            rows += _rate("repeat_care_share", ("municipality", code), (period_type, period), repeats, len(started))
    return rows


@dataclass
class CategoryPart:
    """One municipality's part of a product category in a period its data covers: the youths with an episode of
    the category active in it, and the net cents of its lines (None without any line)."""

    clients: set[str]
    cents: int | None = None


def product_category_parts(
    allocations: list[Allocation], files: list[DeclarationFile], window: Window
) -> dict[tuple[str, str, str], CategoryPart]:
    """Per (period_type, period, JZ020 category): a care episode is one started allocation (its product's category),
    active from its start to its end (open when it ends after the horizon); a line counts in the category it
    declares, by the period of its product period's start."""
    horizon = window.last_day
    episodes = [
        (a.bsn, a.product.category, a.start_on, a.end_on if a.ended_by(horizon) else None)
        for a in allocations
        if a.allocated_by(horizon) and a.started_by(horizon)
    ]
    lines = list(fault_free_lines(files))
    parts: dict[tuple[str, str, str], CategoryPart] = {}
    for period_type, period, first, last in covered_periods_in(window, files):
        for bsn, category, start, end in episodes:
            if start <= last and (end is None or end >= first):
                parts.setdefault((period_type, period, category), CategoryPart(set())).clients.add(bsn)
        for line in lines:
            if first <= line.period_start <= last:
                part = parts.setdefault((period_type, period, line.product_category), CategoryPart(set()))
                part.cents = (part.cents or 0) + line.amount_cents
    return parts


def product_category_kpis(parts_by_municipality: Iterable[dict[tuple[str, str, str], CategoryPart]]) -> list[dict]:
    """clients_in_care, net_declared_cost and cost_per_client at scope product_category: the municipalities' parts
    together (a youth with care in two municipalities counts once). The generator has jeugdhulp products only, so all
    cost is jeugdhulp cost."""
    together: dict[tuple[str, str, str], CategoryPart] = {}
    for parts in parts_by_municipality:
        for key, part in parts.items():
            whole = together.setdefault(key, CategoryPart(set()))
            whole.clients |= part.clients
            if part.cents is not None:
                whole.cents = (whole.cents or 0) + part.cents
    rows: list[dict] = []
    for (period_type, period, category), part in sorted(together.items()):
        scope, key, clients = ("product_category", category), (period_type, period), len(part.clients)
        if clients:
            rows.append(_kpi("clients_in_care", scope, key, clients, clients))
        if part.cents is not None:
            rows.append(_kpi("net_declared_cost", scope, key, part.cents / 100, part.cents))
            if clients:
                rows.append(_kpi("cost_per_client", scope, key, part.cents / 100 / clients, part.cents, clients))
    return rows

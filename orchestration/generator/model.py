"""The event model of one municipality: youths, their care careers and the allocations those consist of.

Everything downstream (messages, declarations, ground truth) is derived from the Allocation records made here. The
world is observed at the horizon (the last day of the window): events after it have not happened yet, so an
allocation may be requested but not yet allocated, allocated but not started, or still running (no stop).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import random
from dataclasses import dataclass
from functools import cache

from orchestration.generator import calibration as cal
from orchestration.generator.calibration import Municipality, Product

# Careers start up to three years before the window so it opens on a realistic stock of running care.
WARMUP_DAYS = 3 * 365
# Allocation numbers are <municipality number> * this + serial: unique across every world, within LDT_Nummer.
ALLOCATIONS_PER_MUNICIPALITY = 400_000
# Share of starts first sent with a wrong date, withdrawn (JW305 status 3) and sent again.
WITHDRAWN_START_SHARE = 0.03


@dataclass(frozen=True)
class Window:
    first_day: dt.date
    last_day: dt.date
    """Also the horizon: the world is observed on this day."""

    @property
    def warmup_start(self) -> dt.date:
        return self.first_day - dt.timedelta(days=WARMUP_DAYS)


@dataclass(slots=True)
class Allocation:
    number: int
    bsn: str
    provider: str
    product: Product
    tariff_cents: int
    weekly_volume: int
    """Units per week for hours, minutes and dagdelen (ignored for etmaal and stuks)."""
    request_on: dt.date | None
    referrer_type: str
    provider_reference: str | None
    allocated_on: dt.date
    start_on: dt.date
    end_on: dt.date
    """The real end; after the horizon means still running when the world is observed."""
    planned_until: dt.date
    end_reason: str
    start_sent_on: dt.date
    stop_sent_on: dt.date
    withdrawn_start_on: dt.date | None = None
    """A start sent in error (JW305 status 1) and withdrawn (status 3) before the right one was sent."""
    withdrawal_sent_on: dt.date | None = None

    def requested_by(self, horizon: dt.date) -> bool:
        return self.request_on is not None and self.request_on <= horizon

    def allocated_by(self, horizon: dt.date) -> bool:
        return self.allocated_on <= horizon

    def started_by(self, horizon: dt.date) -> bool:
        return self.start_on <= horizon

    def ended_by(self, horizon: dt.date) -> bool:
        return self.end_on <= horizon


def omvang(allocation: Allocation) -> tuple[int, str, str]:
    """The JW301 Omvang as (volume, unit WJ756, frequency WMO757): a week of etmalen for stays, one output per month,
    otherwise the weekly volume."""
    unit = allocation.product.unit_code
    if unit == "14":
        return 7, unit, "2"
    if unit == "82":
        return 1, unit, "4"
    return allocation.weekly_volume, unit, "2"


@dataclass(frozen=True)
class _Plan:
    """One allocation of a career before identities, providers and tariffs are attached."""

    care_form: str
    crisis: bool
    allocated_on: dt.date
    start_on: dt.date
    end_on: dt.date
    planned_until: dt.date
    end_reason: str
    same_provider_as_previous: bool


def _choice(rng: random.Random, weights: dict) -> object:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _duration_days(rng: random.Random, key: str) -> int:
    median, lowest, highest = cal.DURATION_DAYS[key]
    return int(min(highest, max(lowest, median * math.exp(0.6 * rng.gauss(0, 1)))))


def _plan(rng: random.Random, care_form: str, crisis: bool, start_on: dt.date, allocated_on: dt.date) -> _Plan:
    planned = _duration_days(rng, "crisis" if crisis else care_form)
    reason = str(_choice(rng, cal.END_REASON_MIX))
    # Early terminations and other non-plan ends cut the planned duration short.
    actual = planned if reason == "31" else max(1, int(planned * rng.uniform(0.3, 0.9)))
    return _Plan(
        care_form=care_form,
        crisis=crisis,
        allocated_on=allocated_on,
        start_on=start_on,
        end_on=start_on + dt.timedelta(days=actual),
        planned_until=start_on + dt.timedelta(days=planned),
        end_reason=reason,
        same_provider_as_previous=False,
    )


def _wait_days(rng: random.Random, crisis: bool) -> int:
    return rng.randint(0, 1) if crisis else min(90, int(rng.expovariate(1 / 14)))


def career_plans(rng: random.Random, allocated_on: dt.date) -> list[_Plan]:
    """The allocations of one youth's care career, the first allocated on the given day."""
    crisis = rng.random() < cal.CRISIS_SHARE
    form = rng.choice(sorted(cal.products_by_form(crisis=True))) if crisis else str(_choice(rng, cal.CARE_FORM_MIX))
    first = _plan(rng, form, crisis, allocated_on + dt.timedelta(days=_wait_days(rng, crisis)), allocated_on)
    plans = [first]
    draw = rng.random()
    if crisis and draw < 0.7:
        # After a crisis placement most youths go on to regular care, allocated before the crisis ends.
        follow_form = str(_choice(rng, cal.CARE_FORM_MIX))
        start = first.end_on + dt.timedelta(days=rng.randint(0, 2))
        plans.append(_plan(rng, follow_form, False, start, min(start, first.end_on)))
    elif not crisis and draw < 0.10:
        # A continuation at the same provider and care form that overlaps the first: CBS merges the two.
        start = first.end_on - dt.timedelta(days=rng.randint(0, 14))
        later = _plan(rng, form, False, max(start, first.start_on), max(start, first.start_on) - dt.timedelta(days=3))
        plans.append(_with_same_provider(later, first.allocated_on))
    elif not crisis and draw < 0.22:
        # Concurrent care in another form, such as ambulant support next to a stay.
        start = first.start_on + dt.timedelta(days=rng.randint(0, max(0, (first.end_on - first.start_on).days)))
        other = "02" if form != "02" else str(_choice(rng, {"04": 0.5, "03": 0.5}))
        plans.append(_plan(rng, other, False, start, start - dt.timedelta(days=_wait_days(rng, False))))
    elif not crisis and draw < 0.34:
        # Renewed care after a gap.
        allocated = first.end_on + dt.timedelta(days=rng.randint(30, 300))
        start = allocated + dt.timedelta(days=_wait_days(rng, False))
        plans.append(_plan(rng, str(_choice(rng, cal.CARE_FORM_MIX)), False, start, allocated))
    return plans


def renewed(rng: random.Random, plan: _Plan) -> list[_Plan]:
    """A regular allocation of at least 30 days cut in two: the first part ended for a change (JZ588 36 or 37) and
    the rest allocated that day and started the next, at the same provider in the same care form. One trajectory
    by the CBS rule, two allocations in the iJw traffic."""
    days = (plan.end_on - plan.start_on).days
    if plan.crisis or days < 30:
        return [plan]
    cut = plan.start_on + dt.timedelta(days=rng.randint(14, days - 14))
    first = dataclasses.replace(plan, end_on=cut, planned_until=cut, end_reason=rng.choice(("36", "37")))
    rest = dataclasses.replace(
        plan, allocated_on=cut, start_on=cut + dt.timedelta(days=1), same_provider_as_previous=True
    )
    return [first, rest]


def _with_same_provider(plan: _Plan, earliest_allocation: dt.date) -> _Plan:
    return _Plan(
        care_form=plan.care_form,
        crisis=plan.crisis,
        allocated_on=max(plan.allocated_on, earliest_allocation),
        start_on=plan.start_on,
        end_on=plan.end_on,
        planned_until=plan.planned_until,
        end_reason=plan.end_reason,
        same_provider_as_previous=True,
    )


@cache
def mean_active_span_days(seed: int) -> float:
    """Mean days from a career's first start to its last end, estimated once per world for the calibration."""
    rng = random.Random(f"{seed}:calibration")
    anchor = dt.date(2000, 1, 1)
    spans = []
    for _ in range(4_000):
        plans = career_plans(rng, anchor)
        spans.append((max(p.end_on for p in plans) - min(p.start_on for p in plans)).days)
    return sum(spans) / len(spans)


def target_share_of_youth(rng: random.Random) -> float:
    """The municipality's share of youth in care per year, inside the published 8-12% with room for noise."""
    return rng.uniform(0.092, 0.108)


def tariff_cents(seed: int, provider: str, product: Product) -> int:
    """One tariff per provider and product for the whole world, whichever municipality is generated."""
    rng = random.Random(f"{seed}:tariff:{provider}:{product.code}")
    if product.unit_code == "82":
        return rng.randint(*cal.OUTPUT_TARIFF_RANGE_CENTS) // 100 * 100
    # Multiples of 20 cents keep minutes x tariff / 60 whole for the quarter hours declared: no rounding ties.
    return rng.randint(*cal.TARIFF_RANGE_CENTS[product.unit_code]) // 20 * 20


def weekly_volume(rng: random.Random, product: Product) -> int:
    if product.unit_code == "04":
        return rng.randint(1, 4)
    if product.unit_code == "01":
        return rng.choice((45, 60, 90, 120, 180))
    if product.unit_code == "16":
        return rng.randint(2, 8)
    return 1


@dataclass
class _Identities:
    """Test BSNs for this municipality, handed out round-robin in order of career start."""

    pool: list[str]
    next_index: int = 0

    def next_bsn(self) -> str:
        bsn = self.pool[self.next_index % len(self.pool)]
        self.next_index += 1
        return bsn


def allocations(
    seed: int, municipality: Municipality, window: Window, scale: float, bsn_pool: list[str], renewal_share: float = 0.0
) -> list[Allocation]:
    """Every allocation of the municipality whose career reaches into the window, in order of career start. A share
    of regular allocations is renewed the next day (renewed()); its own random stream leaves a world without
    renewals as it was."""
    rng = random.Random(f"{seed}:{municipality.code}:events")
    renewals = random.Random(f"{seed}:{municipality.code}:renewals")
    providers = cal.provider_agbs(municipality.region_code)
    provider_weights = [1 / (rank + 1) for rank in range(len(providers))]
    regular, crisis_products = cal.products_by_form(crisis=False), cal.products_by_form(crisis=True)
    active_per_year = target_share_of_youth(rng) * municipality.youth_population * scale
    arrivals_per_day = active_per_year / (365 + mean_active_span_days(seed))
    span_days = (window.last_day - window.warmup_start).days + 1
    starts = sorted(rng.randrange(span_days) for _ in range(round(arrivals_per_day * span_days)))
    identities = _Identities(bsn_pool)
    serial = int(municipality.code4) * ALLOCATIONS_PER_MUNICIPALITY
    result: list[Allocation] = []
    for offset in starts:
        plans = career_plans(rng, window.warmup_start + dt.timedelta(days=offset))
        if max(p.end_on for p in plans) < window.first_day or min(p.allocated_on for p in plans) > window.last_day:
            continue
        if renewal_share > 0:
            plans = [
                part
                for plan in plans
                for part in (renewed(renewals, plan) if renewals.random() < renewal_share else [plan])
            ]
        bsn = identities.next_bsn()
        provider = rng.choices(providers, weights=provider_weights)[0]
        for plan in plans:
            if not plan.same_provider_as_previous:
                provider = rng.choices(providers, weights=provider_weights)[0]
            product = rng.choice((crisis_products if plan.crisis else regular)[plan.care_form])
            serial += 1
            if serial >= (int(municipality.code4) + 1) * ALLOCATIONS_PER_MUNICIPALITY:
                raise ValueError(
                    f"{municipality.code}: more than {ALLOCATIONS_PER_MUNICIPALITY} allocations; lower --scale"
                )
            result.append(_allocation(rng, seed, window, serial, bsn, provider, product, plan))
    return result


def _allocation(
    rng: random.Random, seed: int, window: Window, number: int, bsn: str, provider: str, product: Product, plan: _Plan
) -> Allocation:
    horizon = window.last_day
    requested = rng.random() < cal.REQUEST_SHARE
    lead = rng.randint(0, 2) if plan.crisis else min(60, int(rng.expovariate(1 / 12)))
    allocation = Allocation(
        number=number,
        bsn=bsn,
        provider=provider,
        product=product,
        tariff_cents=tariff_cents(seed, provider, product),
        weekly_volume=weekly_volume(rng, product),
        request_on=plan.allocated_on - dt.timedelta(days=lead) if requested else None,
        referrer_type=str(_choice(rng, cal.REFERRER_MIX)) if requested else "01",
        provider_reference=f"{provider}-{number}" if requested else None,
        allocated_on=plan.allocated_on,
        start_on=plan.start_on,
        end_on=plan.end_on,
        planned_until=plan.planned_until,
        end_reason=plan.end_reason,
        # Messages follow their event within days, but nothing is sent after the horizon.
        start_sent_on=min(horizon, plan.start_on + dt.timedelta(days=rng.randint(0, 3))),
        stop_sent_on=min(horizon, plan.end_on + dt.timedelta(days=rng.randint(0, 5))),
    )
    if rng.random() < WITHDRAWN_START_SHARE:
        _add_withdrawn_start(rng, allocation, horizon)
    return allocation


def _add_withdrawn_start(rng: random.Random, allocation: Allocation, horizon: dt.date) -> None:
    wrong_start = allocation.start_on + dt.timedelta(days=rng.randint(1, 10))
    wrong_sent = wrong_start + dt.timedelta(days=rng.randint(0, 2))
    withdrawal_sent = wrong_sent + dt.timedelta(days=rng.randint(2, 10))
    if withdrawal_sent > horizon or wrong_start > allocation.end_on:
        return
    allocation.withdrawn_start_on = wrong_start
    allocation.withdrawal_sent_on = withdrawal_sent
    # The wrong start went out first; the right one follows the withdrawal (same day sorts after it: later serial).
    allocation.start_sent_on = wrong_sent

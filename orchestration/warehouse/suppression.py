"""Which published KPI rows to withhold: small numbers (primary) and the rows that would give them away (secondary).

Primary suppression withholds every count strictly between 0 and the threshold and every rate built on such a count
(DESIGN.md section 6). That alone is not enough: the published figures add up. A region's count is the sum of its
municipalities' counts, a year is the sum of its quarters, every care form (or provider) together is every region
together, and the referrer counts of a scope add up to its allocations. Where exactly one row of such a sum is
withheld, subtracting the published rest recovers it. Complementary suppression therefore withholds, in every sum with
exactly one withheld row, also the published row with the smallest count, until no sum has exactly one.

The sums are applied to every KPI with a count in it, also where the count is not strictly additive (distinct clients
over quarters, a youth in two municipalities): there the relation over-protects, it never under-protects. A withheld
count also withholds the rows that publish the same count as their numerator or denominator in the same scope (the
share built on clients_in_care, the growth rate a year later), matched by value. The count a row keeps secret is its
small count (primary) or the count it was chosen by (complement); a published denominator such as a population is
not a secret.

Several complements can close the same sums, and which one the worklist picks depends on the order it meets the rows:
the rows are therefore taken in key order, and counts are compared rounded, so the same figures always withhold the
same rows, however the warehouse happened to scan them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

KpiKey = tuple[str, str, str, str, str]
"""kpi_id, scope_type, scope_code, period_type, period."""

REFERRER_SHARE_PREFIX = "referrer_share_"
REFERRER_SHARE_TOTAL = "allocations"
"""The referrer shares partition a scope's allocations (COD327), so their numerators add up to that KPI's value."""
COUNT_DECIMALS = 2
"""kpi_values keeps numerators and denominators as decimal(18, 2): a count rounded to that is the count itself, without
the last bits a sum of doubles may leave on a value."""


@dataclass(frozen=True)
class KpiRow:
    key: KpiKey
    value: float | None
    numerator: float | None
    denominator: float | None


@dataclass(frozen=True)
class CountKinds:
    """Which of a KPI's figures are counts of people or trajectories (the catalogue's unit and *_kind columns)."""

    value: bool
    numerator: bool
    denominator: bool

    def counts(self, row: KpiRow) -> list[float]:
        figures = ((self.value, row.value), (self.numerator, row.numerator), (self.denominator, row.denominator))
        return [round(figure, COUNT_DECIMALS) for is_count, figure in figures if is_count and figure is not None]

    @property
    def any(self) -> bool:
        return self.value or self.numerator or self.denominator


NO_COUNTS = CountKinds(value=False, numerator=False, denominator=False)


def rows_to_suppress(
    rows: Sequence[KpiRow], kinds: dict[str, CountKinds], region_of: dict[str, str], threshold: int
) -> set[KpiKey]:
    """The keys of every row to withhold: the primary ones and, until no sum has exactly one withheld row, their
    complements. A worklist: each newly withheld row revisits only the sums and same-count rows it belongs to.
    The rows are visited in key order whatever order they come in; a key given twice is an error."""
    by_key = {row.key: row for row in sorted(rows, key=lambda row: row.key) if kinds.get(row.key[0], NO_COUNTS).any}
    if len(by_key) < sum(1 for row in rows if kinds.get(row.key[0], NO_COUNTS).any):
        raise ValueError("kpi_values holds a key twice: which of its rows to withhold would depend on scan order")
    sums = list(_additive_sums(by_key, region_of))
    sums_of: dict[KpiKey, list[int]] = defaultdict(list)
    for index, members in enumerate(sums):
        for key in members:
            sums_of[key].append(index)
    same_count: dict[tuple, list[KpiKey]] = defaultdict(list)
    for key, row in by_key.items():
        for count in kinds[key[0]].counts(row):
            same_count[(*key[1:], count)].append(key)

    withheld: set[KpiKey] = set()
    hidden_in_sum = [0] * len(sums)
    pending: list[tuple[KpiKey, list[tuple[float, str]]]] = []

    def withhold(key: KpiKey, secrets: list[tuple[float, str]]) -> None:
        """secrets: the counts the row keeps secret, each with the period it counts."""
        if key not in withheld:
            withheld.add(key)
            pending.append((key, secrets))
            for index in sums_of[key]:
                hidden_in_sum[index] += 1

    for key, row in by_key.items():
        small = [count for count in kinds[key[0]].counts(row) if 0 < count < threshold]
        if small:
            withhold(key, [(count, key[4]) for count in small])
    while pending:
        key, secrets = pending.pop()
        _, scope_type, scope_code, period_type, _ = key
        for count, counted_in in secrets:
            for when in (counted_in, _a_year_later(counted_in)):
                for other in same_count.get((scope_type, scope_code, period_type, when, count), ()):
                    withhold(other, [(count, counted_in)])
        for index in sums_of[key]:
            if hidden_in_sum[index] == 1:
                shown = [member for member in sums[index] if member not in withheld]
                if shown:
                    complement = min(shown, key=lambda member: _complement_order(by_key[member], kinds))
                    size = _smallest_count(by_key[complement], kinds)
                    withhold(complement, [(size, complement[4])] if size > 0 else [])
    return withheld


def _smallest_count(row: KpiRow, kinds: dict[str, CountKinds]) -> float:
    counts = kinds[row.key[0]].counts(row)
    return min(counts) if counts else 0.0


def _complement_order(row: KpiRow, kinds: dict[str, CountKinds]) -> tuple:
    """The complement withheld is the smallest non-zero count (it costs the reader least); a zero partner would
    still give the withheld count away as the pair's sum."""
    size = _smallest_count(row, kinds)
    return (size <= 0, size, row.key)


def _additive_sums(keys: Iterable[KpiKey], region_of: dict[str, str]) -> Iterable[list[KpiKey]]:
    """Every set of rows of which any one follows from the others (the relations in the module docstring)."""
    geography: dict[tuple, list[KpiKey]] = defaultdict(list)
    totals: dict[tuple, dict[str, list[KpiKey]]] = defaultdict(lambda: defaultdict(list))
    calendar: dict[tuple, list[KpiKey]] = defaultdict(list)
    referrers: dict[tuple, list[KpiKey]] = defaultdict(list)
    for key in keys:
        kpi_id, scope_type, scope_code, period_type, period = key
        if scope_type == "region":
            geography[(kpi_id, scope_code, period)].append(key)
        elif scope_type == "municipality" and scope_code in region_of:
            geography[(kpi_id, region_of[scope_code], period)].append(key)
        if scope_type in ("region", "care_form", "provider"):
            totals[(kpi_id, period)][scope_type].append(key)
        if scope_type != "nl":
            for whole in _periods_containing(period_type, period):
                calendar[(kpi_id, scope_type, scope_code, whole)].append(key)
        if kpi_id == REFERRER_SHARE_TOTAL or kpi_id.startswith(REFERRER_SHARE_PREFIX):
            referrers[(scope_type, scope_code, period)].append(key)
    yield from (members for members in geography.values() if any(key[1] == "region" for key in members))
    for by_scope_type in totals.values():
        for breakdown in ("care_form", "provider"):
            if by_scope_type["region"] and by_scope_type[breakdown]:
                yield by_scope_type["region"] + by_scope_type[breakdown]
    yield from (members for whole, members in calendar.items() if _holds_its_whole(whole, members))
    yield from referrers.values()


def _holds_its_whole(whole: tuple, members: list[KpiKey]) -> bool:
    """A sum of periods reveals a part only when its whole (the half-year or year) is published beside them."""
    name = whole[-1]
    whole_period = name if "/" not in name else name[:4]
    return any(key[4] == whole_period for key in members)


def _periods_containing(period_type: str, period: str) -> list[str]:
    """The sums a period takes part in, each named by its whole: a quarter is in its half-year and its year, a
    half-year in its year; a period is also the whole of its own sum."""
    year = period[:4]
    if period_type == "quarter":
        return [f"{year}-H{1 if int(period[-1]) <= 2 else 2}", f"{year}/quarters"]
    if period_type == "half_year":
        return [period, f"{year}/halves"]
    if period_type == "year":
        return [f"{year}/quarters", f"{year}/halves"]
    return []


def _a_year_later(period: str) -> str:
    return f"{int(period[:4]) + 1}{period[4:]}"

"""The steering inputs a region keeps next to the traffic, made for the world from its own ground truth: the region
budget per municipality and perceel (the CSV format of orchestration/budgets/region_budget.py) and the omzetplafonds
per provider (the seed format of seeds/reference/provider_revenue_caps.csv).

Both are set from the year cost the event model declares, for the years wholly inside the window: one line is set
below its cost on purpose (the overrun and the cap warning the forecast must find, docs/budget-forecast.md), every
other with headroom, so the known answer of the boundary status is fixed by construction.
"""

from __future__ import annotations

from collections.abc import Iterator

from orchestration.generator import calibration as cal

BUDGET_FILE = "budgets/regiobudget_world.csv"
CAPS_FILE = "provider_revenue_caps.csv"


def _euros_dutch(cents: int) -> str:
    return f"{cents // 100:,}".replace(",", ".") + f",{cents % 100:02d}"


def _largest(costs: dict[tuple, int], year: int) -> tuple | None:
    candidates = [key for key, cents in costs.items() if key[-1] == year and cents > 0]
    return max(candidates, key=lambda key: (costs[key], key)) if candidates else None


def _limits(costs: dict[tuple, int], years: list[int], below_share: float, headroom_share: float) -> Iterator[tuple]:
    """(key, share, limit in cents, set below the cost) per key of `costs` (its year last) in `years` with a cost, in
    key order: the largest of the last year at below_share of its cost, every other at headroom_share."""
    below = _largest(costs, years[-1]) if years else None
    for key in sorted(k for k, cents in costs.items() if k[-1] in years and cents > 0):
        share = below_share if key == below else headroom_share
        yield key, share, round(costs[key] * share), key == below


def region_budget(year_costs: dict[tuple[str, str, int], int], years: list[int]) -> tuple[str, list[dict]]:
    """(CSV text, ground-truth lines) for (municipality, perceel, year) -> net cents; the largest line of the last
    full year is budgeted at OVERRUN_BUDGET_SHARE of its cost, every other at BUDGET_HEADROOM_SHARE."""
    rows, truth = ["gemeente;jaar;perceel;bedrag;toelichting"], []
    limits = _limits(year_costs, years, cal.OVERRUN_BUDGET_SHARE, cal.BUDGET_HEADROOM_SHARE)
    for key, share, budget, overrun in limits:
        municipality, perceel, year = key
        note = "overschrijding (constructie generator)" if overrun else ""
        rows.append(f"{municipality};{year};{perceel};{_euros_dutch(budget)};{note}")
        truth.append(
            {
                "municipality_code": municipality,
                "perceel": perceel,
                "year": year,
                "year_cost_cents": year_costs[key],
                "budget_cents": budget,
                "budget_share_of_cost": share,
                "overrun_by_construction": overrun,
            }
        )
    return "\r\n".join(rows) + "\r\n", truth


def provider_caps(revenue: dict[tuple[str, int], int], years: list[int]) -> tuple[str, list[dict]]:
    """(seed CSV text, ground-truth caps): the provider with the largest revenue in the last full year is capped at
    OVERRUN_CAP_SHARE of it, every other provider at CAP_HEADROOM_SHARE."""
    rows, truth = ["provider_agb,year,cap_euros,note"], []
    for key, share, cap, capped in _limits(revenue, years, cal.OVERRUN_CAP_SHARE, cal.CAP_HEADROOM_SHARE):
        provider, year = key
        note = "plafond onder de omzet (constructie generator)" if capped else ""
        rows.append(f"{provider},{year},{cap // 100}.{cap % 100:02d},{note}")
        truth.append(
            {
                "provider_agb": provider,
                "year": year,
                "revenue_cents": revenue[key],
                "cap_cents": cap,
                "cap_share_of_revenue": share,
                "crosses_cap_by_construction": capped,
            }
        )
    return "\n".join(rows) + "\n", truth

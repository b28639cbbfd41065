"""The steering inputs a region keeps next to the traffic, made for the world from its own ground truth: the region
budget per municipality and perceel (the CSV format of orchestration/budgets/region_budget.py) and the omzetplafonds
per provider (the seed format of seeds/reference/provider_revenue_caps.csv).

Both are set from the year cost the event model declares, for the years wholly inside the window: one line is set
below its cost on purpose (the overrun and the cap warning the forecast must find, docs/budget-forecast.md), every
other with headroom, so the known answer of the boundary status is fixed by construction.
"""

from __future__ import annotations

from orchestration.generator import calibration as cal

BUDGET_FILE = "budgets/regiobudget_world.csv"
CAPS_FILE = "provider_revenue_caps.csv"


def _euros_dutch(cents: int) -> str:
    return f"{cents // 100:,}".replace(",", ".") + f",{cents % 100:02d}"


def _largest(costs: dict[tuple, int], year: int) -> tuple | None:
    candidates = [key for key, cents in costs.items() if key[-1] == year and cents > 0]
    return max(candidates, key=lambda key: (costs[key], key)) if candidates else None


def region_budget(year_costs: dict[tuple[str, str, int], int], years: list[int]) -> tuple[str, list[dict]]:
    """(CSV text, ground-truth lines) for (municipality, perceel, year) -> net cents; the largest line of the last
    full year is budgeted at OVERRUN_BUDGET_SHARE of its cost, every other at BUDGET_HEADROOM_SHARE."""
    overrun = _largest(year_costs, years[-1]) if years else None
    rows, truth = ["gemeente;jaar;perceel;bedrag;toelichting"], []
    for key in sorted(k for k, cents in year_costs.items() if k[2] in years and cents > 0):
        municipality, perceel, year = key
        share = cal.OVERRUN_BUDGET_SHARE if key == overrun else cal.BUDGET_HEADROOM_SHARE
        budget = round(year_costs[key] * share)
        note = "overschrijding (constructie generator)" if key == overrun else ""
        rows.append(f"{municipality};{year};{perceel};{_euros_dutch(budget)};{note}")
        truth.append(
            {
                "municipality_code": municipality,
                "perceel": perceel,
                "year": year,
                "year_cost_cents": year_costs[key],
                "budget_cents": budget,
                "budget_share_of_cost": share,
                "overrun_by_construction": key == overrun,
            }
        )
    return "\r\n".join(rows) + "\r\n", truth


def provider_caps(revenue: dict[tuple[str, int], int], years: list[int]) -> tuple[str, list[dict]]:
    """(seed CSV text, ground-truth caps): the provider with the largest revenue in the last full year is capped at
    OVERRUN_CAP_SHARE of it, every other provider at CAP_HEADROOM_SHARE."""
    capped = _largest(revenue, years[-1]) if years else None
    rows, truth = ["provider_agb,year,cap_euros,note"], []
    for key in sorted(k for k, cents in revenue.items() if k[1] in years and cents > 0):
        provider, year = key
        share = cal.OVERRUN_CAP_SHARE if key == capped else cal.CAP_HEADROOM_SHARE
        cap = round(revenue[key] * share)
        note = "plafond onder de omzet (constructie generator)" if key == capped else ""
        rows.append(f"{provider},{year},{cap // 100}.{cap % 100:02d},{note}")
        truth.append(
            {
                "provider_agb": provider,
                "year": year,
                "revenue_cents": revenue[key],
                "cap_cents": cap,
                "cap_share_of_revenue": share,
                "crosses_cap_by_construction": key == capped,
            }
        )
    return "\n".join(rows) + "\n", truth

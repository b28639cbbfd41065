"""cost_variance: the hand-computed case of docs/steering.md with every effect written out, and the exact-sum
invariant on seeded random declarations with credits, mixed units and care forms that appear and disappear (the cost
world of tests/steering_worlds.py); on a generator world in the slow suite."""

from __future__ import annotations

import json
from collections import defaultdict
from fractions import Fraction
from math import floor

import duckdb
import pytest

from tests.steering_dbt import query
from tests.steering_worlds import MUNICIPALITIES, PRODUCTS, hand_case_lines, random_lines

COLUMNS = (
    "region_code, care_form_code, period_type, period_from, period_to, cost_from_cents, cost_to_cents, change_cents, "
    "volume_effect_cents, mix_effect_cents, intensity_effect_cents, intensity_trajectories_effect_cents, "
    "intensity_units_effect_cents, price_effect_cents"
)
NAMES = [name.strip() for name in COLUMNS.split(",")]


def variance_rows(db_path, where: str = "true") -> list[dict]:
    return [
        dict(zip(NAMES, row, strict=True))
        for row in query(db_path, f"select {COLUMNS} from marts.cost_variance where {where}")
    ]


def largest_remainder(effects: dict[str, Fraction]) -> dict[str, int]:
    """Round down, then one cent each to the largest fractional parts until the integers add up."""
    floors = {name: floor(value) for name, value in effects.items()}
    left = int(sum(effects.values())) - sum(floors.values())
    for name in sorted(effects, key=lambda n: effects[n] - floors[n], reverse=True)[:left]:
        floors[name] += 1
    return floors


def shapley_two(delta_a, b_from, b_to) -> Fraction:
    """Two changing factors: the change of one times the mean of the other."""
    return delta_a * (b_from + b_to) / 2


def shapley_three(delta_a, b_from, b_to, c_from, c_to) -> Fraction:
    """Three changing factors: weights 1/3 (none or both others changed) and 1/6 (one of them)."""
    return delta_a * (b_from * c_from / 3 + (b_to * c_from + b_from * c_to) / 6 + b_to * c_to / 3)


# docs/steering.md: youths 25 -> 29. Ambulant 20 -> 22 youths, 1 trajectory each, 10 hours, 10,000 cents an hour.
Y0, Y1 = Fraction(25), Fraction(29)
AMBULANT_K = 1 * 10 * 10_000
AMBULANT = {
    "volume": shapley_two(Y1 - Y0, Fraction(20, 25), Fraction(22, 29)) * AMBULANT_K,  # 9,040,000/29
    "mix": shapley_two(Fraction(22, 29) - Fraction(20, 25), Y0, Y1) * AMBULANT_K,  # -3,240,000/29
}
# Residential 5 -> 7 youths, 30 units each, 20,000 -> 21,000 cents a unit.
S0, S1, PRICE0, PRICE1, RESIDENTIAL_K = Fraction(5, 25), Fraction(7, 29), Fraction(20_000), Fraction(21_000), 30
RESIDENTIAL = {
    "volume": shapley_three(Y1 - Y0, S0, S1, PRICE0, PRICE1) * RESIDENTIAL_K,  # 15,756,000/29
    "mix": shapley_three(S1 - S0, Y0, Y1, PRICE0, PRICE1) * RESIDENTIAL_K,  # 19,938,000/29
    "price": shapley_three(PRICE1 - PRICE0, Y0, Y1, S0, S1) * RESIDENTIAL_K,  # 5,196,000/29
}


def test_the_hand_computed_fractions():
    ambulant, residential = AMBULANT, RESIDENTIAL
    assert ambulant == {"volume": Fraction(9_040_000, 29), "mix": Fraction(-3_240_000, 29)}
    assert residential == {
        "volume": Fraction(15_756_000, 29),
        "mix": Fraction(19_938_000, 29),
        "price": Fraction(5_196_000, 29),
    }
    assert sum(AMBULANT.values()) == 200_000 and sum(RESIDENTIAL.values()) == 1_410_000
    # 311,724.14 and -111,724.14: floors 311,724 and -111,725, the cent left to mix (.86).
    assert largest_remainder(AMBULANT) == {"volume": 311_724, "mix": -111_724}
    # 543,310.34 + 687,517.24 + 179,172.41: the cent left to price (.41).
    assert largest_remainder(RESIDENTIAL) == {"volume": 543_310, "mix": 687_517, "price": 179_173}


EXPECTED_HAND = {
    # care form: (cost_from, cost_to, volume, mix, trajectories per youth, units per trajectory, price)
    "02": (2_000_000, 2_200_000, 311_724, -111_724, 0, 0, 0),
    "14": (3_000_000, 4_410_000, 543_310, 687_517, 0, 0, 179_173),
    None: (5_000_000, 6_610_000, 855_034, 575_793, 0, 0, 179_173),
}


@pytest.mark.parametrize("period", [("year", "2023", "2024"), ("quarter", "2023-Q1", "2024-Q1")], ids="/".join)
@pytest.mark.parametrize("care_form", sorted(EXPECTED_HAND, key=str), ids=str)
def test_the_worked_example(steering_world, period, care_form):
    period_type, period_from, period_to = period
    rows = variance_rows(
        steering_world,
        f"region_code = 'JZ95' and period_type = '{period_type}' and period_to = '{period_to}' "
        f"and care_form_code is not distinct from {'null' if care_form is None else repr(care_form)}",
    )
    assert len(rows) == 1
    row = rows[0]
    cost_from, cost_to, volume, mix, trajectories, units, price = EXPECTED_HAND[care_form]
    assert (row["period_from"], row["cost_from_cents"], row["cost_to_cents"]) == (period_from, cost_from, cost_to)
    assert row["change_cents"] == cost_to - cost_from
    assert (row["volume_effect_cents"], row["mix_effect_cents"], row["price_effect_cents"]) == (volume, mix, price)
    assert (row["intensity_trajectories_effect_cents"], row["intensity_units_effect_cents"]) == (trajectories, units)
    assert row["intensity_effect_cents"] == trajectories + units


def test_no_row_for_a_pair_of_periods_without_declarations_in_both(steering_world):
    # JZ95 declares in March only: 2024-Q2 has no declarations a year earlier either.
    assert (
        variance_rows(steering_world, "region_code = 'JZ95' and period_to <> '2024' and period_to <> '2024-Q1'") == []
    )


def test_effects_add_up_exactly_on_every_row(steering_world):
    rows = variance_rows(steering_world)
    assert len(rows) > 40
    for row in rows:
        effects = row["volume_effect_cents"] + row["mix_effect_cents"] + row["intensity_effect_cents"]
        assert (
            effects + row["price_effect_cents"] == row["change_cents"] == row["cost_to_cents"] - row["cost_from_cents"]
        ), row
        assert (
            row["intensity_trajectories_effect_cents"] + row["intensity_units_effect_cents"]
            == row["intensity_effect_cents"]
        )


def expected_costs() -> dict[tuple[str, str | None, str], int]:
    """Net cents per region, care form (None: the region total) and period, summed from the written lines; lines of a
    product without a care form are left out."""
    region_of = {code: region for code, _, region in MUNICIPALITIES}
    costs: dict[tuple[str, str | None, str], int] = defaultdict(int)
    for line in hand_case_lines() + random_lines():
        care_form = PRODUCTS[line.product][0]
        if care_form is None:
            continue
        cents = -line.amount_cents if line.credit else line.amount_cents
        region = region_of[line.municipality]
        quarter = f"{line.month.year}-Q{(line.month.month - 1) // 3 + 1}"
        for period in (str(line.month.year), quarter):
            costs[(region, care_form, period)] += cents
            costs[(region, None, period)] += cents
    return costs


def test_costs_are_the_net_declared_cents(steering_world):
    costs = expected_costs()
    rows = variance_rows(steering_world, "region_code in ('JZ97', 'JZ96')")
    assert {row["region_code"] for row in rows} == {"JZ97", "JZ96"}
    for row in rows:
        key = (row["region_code"], row["care_form_code"])
        assert row["cost_from_cents"] == costs.get((*key, row["period_from"]), 0), row
        assert row["cost_to_cents"] == costs.get((*key, row["period_to"]), 0), row


def test_region_totals_are_the_sums_of_their_care_forms(steering_world):
    rows = variance_rows(steering_world)
    totals: dict[tuple, list[int]] = defaultdict(lambda: [0] * 9)
    for row in rows:
        if row["care_form_code"] is not None:
            key = (row["region_code"], row["period_type"], row["period_to"])
            totals[key] = [a + b for a, b in zip(totals[key], [row[name] for name in NAMES[5:]], strict=True)]
    for row in rows:
        if row["care_form_code"] is None:
            assert [row[name] for name in NAMES[5:]] == totals[
                (row["region_code"], row["period_type"], row["period_to"])
            ]


def test_a_care_form_that_appears_or_disappears_changes_through_volume_and_mix_only(steering_world):
    rows = variance_rows(
        steering_world,
        "(region_code = 'JZ97' and care_form_code = '13') or (region_code = 'JZ96' and care_form_code = '11')",
    )
    assert {(row["region_code"], row["period_type"]) for row in rows} == {
        ("JZ97", "year"),
        ("JZ97", "quarter"),
        ("JZ96", "year"),
        ("JZ96", "quarter"),
    }
    for row in rows:
        assert (row["intensity_effect_cents"], row["price_effect_cents"]) == (0, 0), row
        assert 0 in (row["cost_from_cents"], row["cost_to_cents"])


@pytest.mark.slow
def test_effects_add_up_on_a_generated_two_year_world(definitions, warehouse_env):
    """A generator world over 2023-2024 through the whole pipeline: every row adds up exactly, and the region totals'
    costs are the generator's own net declared cents (its ground truth, from its event model)."""
    from orchestration.generator.world import Options, generate

    warehouse_dir, landing_dir = warehouse_env
    options = Options(
        out=landing_dir,
        seed=11,
        municipalities=("GM0392", "GM0377"),
        first_quarter="2023-Q1",
        last_quarter="2024-Q4",
        scale=0.01,
        fault_rate=0.0,
    )
    generate(options)
    from tests.conftest import run_everything

    result = run_everything(definitions)
    assert result.success
    with duckdb.connect(str(warehouse_dir / "warehouse.duckdb"), read_only=True) as con:
        rows = [
            dict(zip(NAMES, row, strict=True))
            for row in con.execute(f"select {COLUMNS} from marts.cost_variance").fetchall()
        ]
    truth = json.loads((landing_dir / "ground_truth.json").read_text(encoding="utf-8"))
    per_quarter = defaultdict(int)
    for entry in truth["by_municipality_quarter"]:
        per_quarter[entry["quarter"]] += entry["net_declared_cents"]
    totals = [row for row in rows if row["care_form_code"] is None and row["period_type"] == "quarter"]
    assert {row["period_to"] for row in totals} == {f"2024-Q{q}" for q in range(1, 5)}
    for row in totals:
        assert (row["cost_from_cents"], row["cost_to_cents"]) == (
            per_quarter[row["period_from"]],
            per_quarter[row["period_to"]],
        )
    for row in rows:
        effects = row["volume_effect_cents"] + row["mix_effect_cents"] + row["intensity_effect_cents"]
        assert effects + row["price_effect_cents"] == row["change_cents"], row

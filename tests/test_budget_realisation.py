"""budget_realisation_share (docs/kpis.md) by hand on a small DuckDB: the year-to-date cost against the share of the
year's budget due by the period's end, phased by the region's own seed rows where it has them and pro rata by month
elsewhere, read as of the forecasts' data cut, over the municipalities whose data covers the period.

Only int_kpi_costs_summed is built (tests/steering_dbt.py); its inputs are written here:
    cut 2024-Q2 (2024-06-30); every line is declared five days after its month, so June's (dated 2024-07-05) is not
    known at the cut, and no period ending after it has a value;
    Haarlem GM0392 (JZ11): EUR 10,000 a month January to June, budget EUR 100,000; JZ11 phases its budget at 10% a
    month January to June (the seed budget_phasing), so 30% is due by March and 60% by June;
    Bloemendaal GM0377 (JZ11): budget EUR 50,000 but no data for any period: out of JZ11's denominator;
    Velsen GM0453 (JZ10, no phasing): EUR 3,000 a month, budget EUR 24,000, pro rata 3/12 by March, 6/12 by June.
"""

import datetime as dt

import pytest

from tests.steering_dbt import PERIODS_COLUMNS, SIZE_CLASS_COLUMNS, build_models, quarter_periods, query, write_tables

D = dt.date
MONTHLY_EUROS = {"GM0392": 10_000, "GM0453": 3_000}
BUDGET_EUROS = {"GM0392": 100_000, "GM0377": 50_000, "GM0453": 24_000}
REGIONS = {"GM0392": "JZ11", "GM0377": "JZ11", "GM0453": "JZ10"}
# JZ11's phasing: 10% a month in the first half, 8% July to November, nothing in December (adds up to 1).
PHASING = [("JZ11", 2024, month, 0.1 if month <= 6 else 0.08 if month <= 11 else 0.0) for month in range(1, 13)]

# (scope_type, scope_code, period): (value, numerator cents, denominator cents)
EXPECTED = {
    # Phased: EUR 30,000 over 30% of EUR 100,000; by June EUR 50,000 (June not declared at the cut) over 60%.
    ("municipality", "GM0392", "2024-Q1"): (100.0, 3_000_000, 3_000_000),
    ("municipality", "GM0392", "2024-Q2"): (100 * 50_000 / 60_000, 5_000_000, 6_000_000),
    # Bloemendaal's budget stays out: it covers no period.
    ("region", "JZ11", "2024-Q1"): (100.0, 3_000_000, 3_000_000),
    # Pro rata: EUR 9,000 over 3/12 of EUR 24,000; by June EUR 15,000 over 6/12.
    ("municipality", "GM0453", "2024-Q1"): (150.0, 900_000, 600_000),
    ("region", "JZ10", "2024-Q2"): (125.0, 1_500_000, 1_200_000),
}


def month_end(first: dt.date) -> dt.date:
    return D(first.year + first.month // 12, first.month % 12 + 1, 1) - dt.timedelta(days=1)


def declaration_lines() -> list[tuple]:
    lines = []
    for municipality, euros in MONTHLY_EUROS.items():
        for month in range(1, 7):
            first = D(2024, month, 1)
            declared_on = month_end(first) + dt.timedelta(days=5)
            reference = f"{municipality}-{month}"
            lines.append((municipality, "98000001", reference, "40A12", "45", first, declared_on, euros * 100))
    return lines


def coverage() -> list[tuple]:
    return [
        (municipality, region, period_type, period, first_day, municipality != "GM0377")
        for municipality, region in REGIONS.items()
        for period_type, period, _, first_day, *_ in quarter_periods([2024])
    ]


@pytest.fixture(scope="module")
def realisation(tmp_path_factory) -> dict:
    db = tmp_path_factory.mktemp("budget_realisation") / "warehouse.duckdb"
    write_tables(
        db,
        {
            "marts.fct_declaration_line": (
                "municipality_code varchar, provider_agb varchar, reference_number varchar, product_code varchar, "
                "product_category varchar, period_start date, declaration_date date, amount_cents bigint",
                declaration_lines(),
            ),
            "marts.dim_municipality": (
                "municipality_code varchar, region_code varchar, known_from varchar",
                [(code, region, "region_seed") for code, region in REGIONS.items()],
            ),
            "marts.dim_product": ("product_code varchar, care_form_code varchar", [("40A12", "02")]),
            "marts.dim_care_form": ("care_form_code varchar, cbs_care_domain varchar", [("02", "jeugdhulp")]),
            "marts.fct_budget": (
                "municipality_code varchar, year integer, kind varchar, amount_cents bigint",
                [(code, 2024, "region_budget", euros * 100) for code, euros in BUDGET_EUROS.items()],
            ),
            "reference.budget_phasing": (
                "region_code varchar, year integer, month integer, share decimal(9, 6)",
                PHASING,
            ),
            "intermediate.int_kpi_periods": (PERIODS_COLUMNS, quarter_periods([2024])),
            "intermediate.int_municipality_size_classes": (SIZE_CLASS_COLUMNS, []),
            "intermediate.int_municipality_periods_covered": (
                "municipality_code varchar, region_code varchar, period_type varchar, period varchar, first_day date, "
                "is_covered boolean",
                coverage(),
            ),
            "intermediate.int_forecast_as_of": (
                "as_of_period varchar, cut_day date, cut_month_index integer",
                [("2024-Q2", D(2024, 6, 30), 2024 * 12 + 5)],
            ),
            "intermediate.int_kpi_trajectories_counted": (
                "kpi_id varchar, scope_type varchar, scope_code varchar, period_type varchar, period varchar, "
                "numerator bigint, denominator bigint, value double",
                [],
            ),
        },
    )
    build_models(db, ["int_kpi_declaration_lines_described int_kpi_budget_shares_cumulated int_kpi_costs_summed"])
    rows = query(
        db,
        "select scope_type, scope_code, period, value, numerator, denominator from intermediate.int_kpi_costs_summed"
        " where kpi_id = 'budget_realisation_share'",
    )
    return {(scope_type, code, period): values for scope_type, code, period, *values in rows}


@pytest.mark.parametrize("key", sorted(EXPECTED), ids=lambda key: "/".join(key))
def test_budget_realisation_matches_the_hand_computed_pace(realisation, key):
    value, numerator, denominator = realisation[key]
    expected_value, expected_numerator, expected_denominator = EXPECTED[key]
    assert value == pytest.approx(expected_value, rel=1e-9)
    assert (numerator, denominator) == (expected_numerator, expected_denominator)


def test_no_realisation_for_a_period_ending_after_the_cut(realisation):
    assert {period for _, _, period in realisation} == {"2024-Q1", "2024-Q2"}
    assert {code for _, code, _ in realisation} == {"GM0392", "GM0453", "JZ11", "JZ10"}

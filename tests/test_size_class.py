"""The size-class scope of kpi_values (CBS gemeentegrootte, docs/kpis.md) against a small world worked out by hand.

Three municipalities of one region: A and B in CBS class 4 (20 000 tot 50 000 inwoners), C in class 5. dbt assigns
the classes from the population (seed cbs_size_classes, int_municipality_size_classes) and counts the trajectory KPIs
and the youth share at scope size_class with the rules of a region: a youth once per class, only municipalities whose
data covers the period. Every expected figure is derived in a comment next to it.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.steering_dbt import PERIODS_COLUMNS, build_models, quarter_periods, query, write_tables

D = dt.date
A, B, C, JZ, PROVIDER = "GM9901", "GM9902", "GM9903", "JZ99", "98000001"
# Inhabitants on 1 January: B had 55 000 in 2023 (class 5) and 45 000 in 2024; the latest year decides (class 4).
POPULATION = [
    # municipality, year, youth 0-22 (the youth share's band), all ages
    (A, 2024, 100, 30_000),
    (B, 2023, 180, 55_000),
    (B, 2024, 200, 45_000),
    (C, 2024, 300, 60_000),
]


def trajectory(number, client, municipality, start, end):
    duration = (end - start).days if end else None
    return (f"t{number}", client, municipality, PROVIDER, "02", start, end, "31" if end else None, duration, False)


TRAJECTORIES = [
    trajectory(1, "x", A, D(2024, 1, 1), D(2024, 3, 31)),
    trajectory(2, "y", B, D(2024, 1, 10), None),
    # z moves from A to B within the first quarter: a youth of both municipalities, once in their class.
    trajectory(3, "z", A, D(2024, 2, 1), D(2024, 2, 28)),
    trajectory(4, "z", B, D(2024, 3, 1), D(2024, 5, 31)),
    trajectory(5, "w", C, D(2024, 1, 1), None),
]


def covered(municipality: str, period: str) -> bool:
    """B sent nothing in 2024-Q2: its data does not cover that quarter (it covers the year, as it delivered in Q1)."""
    return not (municipality == B and period == "2024-Q2")


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    db_path = tmp_path_factory.mktemp("size_class") / "warehouse.duckdb"
    periods = quarter_periods([2024])
    write_tables(
        db_path,
        {
            "marts.fct_trajectory": (
                "trajectory_id varchar, client_key varchar, municipality_code varchar, provider_agb varchar, "
                "care_form_code varchar, start_date date, end_date date, end_reason_code varchar, "
                "duration_days bigint, started_in_crisis boolean",
                TRAJECTORIES,
            ),
            "marts.dim_municipality": (
                "municipality_code varchar, region_code varchar, known_from varchar",
                [(code, JZ, "region_seed") for code in (A, B, C)],
            ),
            "marts.dim_client": ("client_key varchar, birth_year integer", [(c, 2014) for c in "xyzw"]),
            "marts.dim_care_form": ("care_form_code varchar, cbs_care_domain varchar", [("02", "jeugdhulp")]),
            "marts.fct_population": (
                "municipality_code varchar, year integer, youth_0_22 bigint, population_total bigint",
                POPULATION,
            ),
            "intermediate.int_kpi_periods": (PERIODS_COLUMNS, periods),
            "intermediate.int_municipality_periods_covered": (
                "municipality_code varchar, region_code varchar, period_type varchar, period varchar, first_day date,"
                " is_covered boolean",
                [
                    (code, JZ, period_type, period, first, covered(code, period))
                    for code in (A, B, C)
                    for period_type, period, _, first, *_ in periods
                ],
            ),
        },
    )
    # One selection argument: dagster-dbt moves further positional arguments in front of --select.
    build_models(
        db_path,
        [
            "cbs_size_classes int_municipality_size_classes int_kpi_trajectories_described"
            " int_kpi_trajectories_counted int_kpi_population_shares"
        ],
    )
    return db_path


def values(db_path, kpi_id: str, scope_type: str, period: str) -> dict[str, tuple]:
    """scope_code -> (numerator, denominator, value) of one KPI, scope type and period."""
    rows = query(
        db_path,
        "select scope_code, numerator, denominator, value from ("
        " select * from intermediate.int_kpi_trajectories_counted"
        " union all select * from intermediate.int_kpi_population_shares"
        ") where kpi_id = ? and scope_type = ? and period = ?",
        [kpi_id, scope_type, period],
    )
    return {code: (numerator, denominator, value) for code, numerator, denominator, value in rows}


def test_municipalities_get_the_cbs_class_of_their_latest_population(warehouse):
    rows = query(
        warehouse,
        "select municipality_code, size_class_code, size_class_name_nl, population_year"
        " from intermediate.int_municipality_size_classes order by 1",
    )
    assert rows == [
        (A, "4", "20 000 tot 50 000 inwoners", 2024),
        # 45 000 on 1 January 2024, not 2023's 55 000.
        (B, "4", "20 000 tot 50 000 inwoners", 2024),
        (C, "5", "50 000 tot 100 000 inwoners", 2024),
    ]


def test_a_class_counts_a_youth_once_as_a_region_does(warehouse):
    # 2024-Q1: A has x and z, B has y and z, C has w. Class 4 holds x, y, z (z once), class 5 w; the region all four.
    assert values(warehouse, "clients_in_care", "municipality", "2024-Q1") == {
        A: (2, None, 2.0),
        B: (2, None, 2.0),
        C: (1, None, 1.0),
    }
    assert values(warehouse, "clients_in_care", "size_class", "2024-Q1") == {"4": (3, None, 3.0), "5": (1, None, 1.0)}
    assert values(warehouse, "clients_in_care", "region", "2024-Q1") == {JZ: (4, None, 4.0)}


def test_a_class_youth_share_sums_the_population_of_its_municipalities(warehouse):
    # 2024-Q1: class 4 has 3 youths 0-22 in care over A's 100 + B's 200 youths: 1.0%; class 5 1 over 300.
    shares = values(warehouse, "youth_in_care_share", "size_class", "2024-Q1")
    assert shares.keys() == {"4", "5"}
    assert shares["4"][:2] == (3, 300) and shares["4"][2] == pytest.approx(1.0)
    assert shares["5"][:2] == (1, 300) and shares["5"][2] == pytest.approx(100 / 300)


def test_a_class_leaves_out_a_municipality_whose_data_does_not_cover_the_period(warehouse):
    # 2024-Q2: B (y and z active) sent nothing, A has nobody in care: class 4 has no figure; C still has w.
    assert values(warehouse, "clients_in_care", "size_class", "2024-Q2") == {"5": (1, None, 1.0)}
    # The year: B delivered in Q1, so it covers 2024; class 4 holds x, y and z again, over 300 youths.
    shares = values(warehouse, "youth_in_care_share", "size_class", "2024")
    assert shares["4"][:2] == (3, 300)

"""The CBS definitions the KPI families follow (docs/kpis.md), against cases worked out by hand.

A small DuckDB holds exactly the relations the models under test read (the star schema's facts and dims, the KPI
periods, the iJw staging dates), written by the test; dbt builds the trajectory merge (with its unit tests in
models/intermediate/core/_core__models.yml) and the KPI families over them, as the pipeline does. Every expected figure
is derived in a comment next to it.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.steering_dbt import PERIODS_COLUMNS, SIZE_CLASS_COLUMNS, build_models, quarter_periods, query, write_tables

D = dt.date
GM, JZ, P1, P2, P3 = "GM9901", "JZ99", "98000001", "98000002", "98000003"

EPISODE_COLUMNS = (
    "allocation_number bigint, product_code varchar, product_category varchar, care_form_code varchar, "
    "client_key varchar, municipality_code varchar, provider_agb varchar, start_date date, end_date date, "
    "end_reason_code varchar, referrer_type_code varchar, allocated_on date, requested_on date"
)
# Care episodes of client m1 at one provider in care form 02: the first ends with 37 (wijzigingsverzoek) on 31 March
# and is renewed on 1 April (no day between: one trajectory); the third starts on 2 July after a whole day without
# care (1 July): a second trajectory.
EPISODES = [
    (1, "45A01", "45", "02", "m1", GM, P1, D(2024, 1, 1), D(2024, 3, 31), "37", "02", D(2023, 12, 20), None),
    (2, "45A01", "45", "02", "m1", GM, P1, D(2024, 4, 1), D(2024, 6, 30), "31", "01", D(2024, 3, 31), None),
    (3, "45A01", "45", "02", "m1", GM, P1, D(2024, 7, 2), None, None, "01", D(2024, 7, 1), None),
]

TRAJECTORY_COLUMNS = (
    "trajectory_id varchar, client_key varchar, municipality_code varchar, provider_agb varchar, "
    "care_form_code varchar, start_date date, end_date date, end_reason_code varchar, duration_days bigint, "
    "started_in_crisis boolean"
)


def trajectory(number, client, provider, care_form, start, end, reason):
    duration = (end - start).days if end else None
    return (f"t{number}", client, GM, provider, care_form, start, end, reason, duration, False)


TRAJECTORIES = [
    # a: 37 on 31 March, then care at another provider from 1 April: that start follows on, no repeat.
    trajectory(1, "a", P1, "02", D(2024, 1, 1), D(2024, 3, 31), "37"),
    trajectory(2, "a", P2, "02", D(2024, 4, 1), None, None),
    # b: care ended in 2022, a new start in 2024 after a gap, within 5 years: a repeat.
    trajectory(3, "b", P1, "02", D(2022, 1, 1), D(2022, 6, 30), "31"),
    trajectory(4, "b", P1, "02", D(2024, 2, 1), D(2024, 5, 31), "32"),
    # c: the earlier care ended on 31 December 2018, before 1 March 2019 (5 years before the start): no repeat.
    trajectory(5, "c", P1, "03", D(2018, 1, 1), D(2018, 12, 31), "31"),
    trajectory(6, "c", P1, "03", D(2024, 3, 1), D(2024, 6, 30), "33"),
    # d: ended 30 January, a whole day without care (31 January), a new start on 1 February: a repeat.
    trajectory(7, "d", P1, "04", D(2023, 10, 1), D(2024, 1, 30), "31"),
    trajectory(8, "d", P2, "02", D(2024, 2, 1), D(2024, 8, 31), "38"),
    # e: born 2004, 19 on 1 January 2024: past 18, inside CBS's 0-22 band.
    trajectory(9, "e", P1, "02", D(2024, 1, 15), D(2024, 4, 15), "34"),
    # f: ondertoezichtstelling (jeugdbescherming), g: toezicht en begeleiding (jeugdreclassering): not jeugdhulp.
    trajectory(10, "f", P3, "J11", D(2024, 1, 1), None, None),
    trajectory(11, "g", P3, "J41", D(2024, 5, 1), D(2024, 9, 30), "31"),
    # h: an end for an administrative reason (20, levering tijdelijk beeindigd).
    trajectory(12, "h", P1, "14", D(2024, 6, 1), D(2024, 7, 15), "20"),
    # i: born 2000, 23 on 1 January 2024: in care since 2023 and still, outside the 0-22 band.
    trajectory(13, "i", P2, "03", D(2023, 9, 1), None, None),
]
BIRTH_YEARS = {"a": 2015, "b": 2012, "c": 2010, "d": 2016, "e": 2004, "f": 2014, "g": 2007, "h": 2010, "i": 2000}
CARE_FORMS = [
    ("02", "jeugdhulp"),
    ("03", "jeugdhulp"),
    ("04", "jeugdhulp"),
    ("14", "jeugdhulp"),
    ("J11", "jeugdbescherming"),
    ("J41", "jeugdreclassering"),
]
YOUTH_0_22 = 60
# 85099NED's justice youths (CBS figures as published) of GM and its region JZ99, and of a municipality in another
# region whose population lacks the ages 18-22 (so no band reaching past 17), for the CBS justice shares.
GM_NO_ADULTS, JZ_NO_ADULTS = "GM9902", "JZ98"
CBS_JUSTICE = [
    (scope_type, code, "year", "2024", indicator, value)
    for scope_type, code, protection, probation in [
        ("municipality", GM, 4, 6),
        ("region", JZ, 5, 9),
        ("municipality", GM_NO_ADULTS, 2, 3),
        ("region", JZ_NO_ADULTS, 2, 3),
    ]
    for indicator, value in [
        ("JongerenMetJeugdbescherming_3", protection),
        ("JongerenMetJeugdreclassering_4", probation),
    ]
]
# The earliest iJw message the warehouse holds: repeat care's 5 years reach back to it from 1 October 2024 on.
HISTORY_FROM = D(2019, 6, 1)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    db_path = tmp_path_factory.mktemp("cbs_definitions") / "warehouse.duckdb"
    message_dates = ("message_date date", [(HISTORY_FROM,), (D(2024, 1, 1),)])
    write_tables(
        db_path,
        {
            "intermediate.int_care_episodes_applied": (EPISODE_COLUMNS, EPISODES),
            "marts.fct_trajectory": (TRAJECTORY_COLUMNS, TRAJECTORIES),
            "marts.dim_municipality": (
                "municipality_code varchar, region_code varchar, known_from varchar",
                [(GM, JZ, "seed"), (GM_NO_ADULTS, JZ_NO_ADULTS, "seed")],
            ),
            "marts.fct_cbs_indicator": (
                "scope_type varchar, scope_code varchar, period_type varchar, period varchar, indicator varchar,"
                " value double",
                CBS_JUSTICE,
            ),
            "marts.dim_client": ("client_key varchar, birth_year integer", list(BIRTH_YEARS.items())),
            "marts.dim_care_form": ("care_form_code varchar, cbs_care_domain varchar", CARE_FORMS),
            "marts.fct_population": (
                "municipality_code varchar, year integer, youth_0_17 bigint, youth_0_22 bigint, youth_12_22 bigint",
                [(GM, 2024, 50, YOUTH_0_22, 40), (GM_NO_ADULTS, 2024, 80, None, None)],
            ),
            "intermediate.int_kpi_periods": (PERIODS_COLUMNS, quarter_periods([2024])),
            "intermediate.int_municipality_size_classes": (SIZE_CLASS_COLUMNS, [(GM, "4")]),
            # The municipality's data covers every period (coverage is tests/test_kpi_values.py's subject).
            "intermediate.int_municipality_periods_covered": (
                "municipality_code varchar, region_code varchar, period_type varchar, period varchar, first_day date,"
                " is_covered boolean",
                [
                    (GM, JZ, period_type, period, first, True)
                    for period_type, period, _, first, *_ in quarter_periods([2024])
                ],
            ),
            "staging.stg_ijw__allocations": message_dates,
            "staging.stg_ijw__start_events": message_dates,
            "staging.stg_ijw__stop_events": message_dates,
        },
    )
    # One selection argument: dagster-dbt moves further positional arguments in front of --select.
    models = (
        "int_trajectories_merged int_kpi_trajectories_described int_kpi_outcomes_flagged int_kpi_trajectories_counted"
        " int_kpi_outcomes_counted int_kpi_population_shares int_kpi_lookbacks_covered int_kpi_cbs_justice_counted"
    )
    build_models(db_path, [models])
    return db_path


def kpis(db_path, *kpi_ids: str) -> dict[str, tuple]:
    """(numerator, denominator, value) of the municipality in 2024, per KPI."""
    families = ("int_kpi_trajectories_counted", "int_kpi_outcomes_counted", "int_kpi_population_shares")
    union = " union all ".join(
        f"select kpi_id, scope_code, period, numerator, denominator, value from intermediate.{f}" for f in families
    )
    rows = query(
        db_path,
        f"select kpi_id, numerator, denominator, value from ({union}) where scope_code = ? and period = '2024'",
        [GM],
    )
    found = {kpi_id: (numerator, denominator, value) for kpi_id, numerator, denominator, value in rows}
    return {kpi_id: found.get(kpi_id) for kpi_id in kpi_ids}


def test_renewal_the_next_day_is_one_trajectory_and_a_day_between_makes_two(warehouse):
    rows = query(
        warehouse,
        "select start_date, end_date, end_reason_code from intermediate.int_trajectories_merged order by start_date",
    )
    # Episodes 1 and 2 (31 March, 1 April) merge and end with the reason of the later; 1 July without care splits.
    assert rows == [(D(2024, 1, 1), D(2024, 6, 30), "31"), (D(2024, 7, 2), None, None)]


def test_repeat_care_needs_care_in_the_5_years_before_and_a_day_between(warehouse):
    # Jeugdhulp starts in 2024: t1, t2, t4, t6, t8, t9, t12 = 7; repeats: t4 (b) and t8 (d) = 2.
    assert kpis(warehouse, "repeat_care_share") == {"repeat_care_share": (2, 7, pytest.approx(100 * 2 / 7))}


def test_justice_care_forms_are_their_own_kpis(warehouse):
    # Jeugdhulp youths in 2024: a, b, c, d, e, h, i = 7 (f and g only have justice care); started 7, ended 7 (t11 is
    # g's; i's t13 started in 2023 and is open).
    assert kpis(
        warehouse, "clients_in_care", "trajectories_started", "trajectories_ended", "jeugdbescherming_clients"
    ) == {
        "clients_in_care": (7, None, 7.0),
        "trajectories_started": (7, None, 7),
        "trajectories_ended": (7, None, 7),
        "jeugdbescherming_clients": (1, None, 1),
    }
    assert kpis(warehouse, "jeugdreclassering_clients") == {"jeugdreclassering_clients": (1, None, 1)}


def test_youth_share_counts_cbs_age_band_0_22_above_and_below_the_line(warehouse):
    # 0-22 on 1 January 2024 = born 2001-2023: a, b, c, d, h and e (born 2004, 19: past 18, counted) = 6; i (born
    # 2000, 23) is not, nor are f and g (justice care only). 6 / 60 youth 0-22 = 10%; the youth 0-17 (50) is not used.
    assert kpis(warehouse, "clients_in_care_0_22", "youth_in_care_share") == {
        "clients_in_care_0_22": (6, None, 6),
        "youth_in_care_share": (6, YOUTH_0_22, pytest.approx(10.0)),
    }


def test_cbs_justice_shares_divide_by_the_band_cbs_relates_each_to(warehouse):
    rows = query(
        warehouse,
        "select kpi_id, scope_code, numerator, denominator, value from intermediate.int_kpi_cbs_justice_counted"
        " where kpi_id like '%share_cbs'",
    )
    assert {(kpi, code): (numerator, denominator, value) for kpi, code, numerator, denominator, value in rows} == {
        # jeugdbescherming over the youth 0-17: GM 4 / 50 = 8%; JZ99 (GM alone) 5 / 50 = 10%; GM9902 and JZ98 2 / 80.
        ("jeugdbescherming_share_cbs", GM): (4, 50, pytest.approx(8.0)),
        ("jeugdbescherming_share_cbs", JZ): (5, 50, pytest.approx(10.0)),
        ("jeugdbescherming_share_cbs", GM_NO_ADULTS): (2, 80, pytest.approx(2.5)),
        ("jeugdbescherming_share_cbs", JZ_NO_ADULTS): (2, 80, pytest.approx(2.5)),
        # jeugdreclassering over the youth 12-22: GM 6 / 40 = 15%; JZ99 9 / 40 = 22.5%. GM9902 has no ages 18-22, so
        # neither it nor its region JZ98 gets a share (not one over a band cut at 17).
        ("jeugdreclassering_share_cbs", GM): (6, 40, pytest.approx(15.0)),
        ("jeugdreclassering_share_cbs", JZ): (9, 40, pytest.approx(22.5)),
    }


def test_end_reasons_cbs_counts_apart_from_the_administrative_ones(warehouse):
    # Jeugdhulp ends in 2024: t1 37, t4 32, t6 33, t7 31, t8 38, t9 34, t12 20 = 7. CBS's reasons 31-35: t4, t6, t7,
    # t9 = 4, of which 31: t7 = 1 (25%), 32/33: t4, t6 = 2 (50%). Administrative 20/36-39: t1, t8, t12 = 3 of 7.
    assert kpis(
        warehouse, "ended_according_to_plan_share", "early_termination_share", "ended_administrative_share"
    ) == {
        "ended_according_to_plan_share": (1, 4, pytest.approx(25.0)),
        "early_termination_share": (2, 4, pytest.approx(50.0)),
        "ended_administrative_share": (3, 7, pytest.approx(100 * 3 / 7)),
    }


def test_repeat_values_whose_5_years_reach_before_the_first_message_are_marked(warehouse):
    rows = dict(
        query(
            warehouse,
            "select period, lookback_complete from intermediate.int_kpi_lookbacks_covered"
            " where kpi_id = 'repeat_care_share' and period_type = 'quarter'",
        )
    )
    # 5 years before each quarter's first day against 1 June 2019: 1 January and 1 April 2019 lie before it, 1 July
    # and 1 October 2019 after.
    assert rows == {"2024-Q1": False, "2024-Q2": False, "2024-Q3": True, "2024-Q4": True}

"""steering_signals, steering_drivers and dialogue_agenda against cases worked out by hand (docs/steering.md).

The cases are the signals world of tests/steering_worlds.py (its docstring states the catalogue and the regions'
own targets); every expected figure is derived in a comment next to it.
"""

from __future__ import annotations

import json

import pytest

from tests.steering_dbt import query
from tests.steering_worlds import P1, P2, P3, P4, P5, P6


def signals_of(db_path) -> dict[tuple[str, str, str, str], dict]:
    columns = (
        "kpi_id, scope_type, scope_code, period, value, target, band_low, band_high, status, trend, trend_values, "
        "drivers, region_code, target_source, no_data_reason, severity"
    )
    names = [name.strip() for name in columns.split(",")]
    rows = query(db_path, f"select {columns} from marts.steering_signals")
    return {row[:4]: dict(zip(names, row, strict=True)) for row in rows}


EXPECTED_STATUS = {
    # lower_is_better, target 10, band_high 15: edges inclusive on the better side.
    ("early_termination_share", "GM9901"): "green",  # 8 < 10
    ("early_termination_share", "GM9902"): "green",  # 10 = target
    ("early_termination_share", "GM9903"): "amber",  # 10 < 12 <= 15
    ("early_termination_share", "GM9904"): "amber",  # 15 = band_high
    ("early_termination_share", "GM9905"): "red",  # 15.5 > 15
    ("early_termination_share", "GM9906"): "no_data",  # numerator 2 withheld
    # higher_is_better, target 70, band_low 60.
    ("ended_according_to_plan_share", "GM9901"): "green",  # 75 > 70
    ("ended_according_to_plan_share", "GM9902"): "green",  # 70 = target
    ("ended_according_to_plan_share", "GM9903"): "amber",  # 60 <= 65 < 70
    ("ended_according_to_plan_share", "GM9904"): "amber",  # 60 = band_low
    ("ended_according_to_plan_share", "GM9905"): "red",  # 59.5 < 60
    # Zero target and band: no amber zone.
    ("residential_under_12", "GM9901"): "green",  # 0 = target
    ("residential_under_12", "GM9902"): "red",  # 12 > 0
    ("residential_under_12", "GM9903"): "no_data",  # 3 < 10 withheld
    ("residential_under_12", "GM9904"): "no_data",  # no value in 2024-Q1
}


@pytest.mark.parametrize("case", sorted(EXPECTED_STATUS), ids="/".join)
def test_status_at_every_band_edge(steering_world, case):
    kpi_id, municipality = case
    signal = signals_of(steering_world)[(kpi_id, "municipality", municipality, "2024-Q1")]
    assert signal["status"] == EXPECTED_STATUS[case], signal


def test_no_data_says_why_and_hides_a_withheld_value(steering_world):
    signals = signals_of(steering_world)
    withheld = signals[("residential_under_12", "municipality", "GM9903", "2024-Q1")]
    missing = signals[("residential_under_12", "municipality", "GM9904", "2024-Q1")]
    assert (withheld["no_data_reason"], withheld["value"]) == ("suppressed", None)
    assert (missing["no_data_reason"], missing["value"]) == ("missing", None)
    assert signals[("residential_under_12", "municipality", "GM9902", "2024-Q1")]["no_data_reason"] is None


def test_targets_bands_and_regions_come_from_the_catalogue(steering_world):
    signal = signals_of(steering_world)[("ended_according_to_plan_share", "municipality", "GM9903", "2024-Q1")]
    assert (signal["target"], signal["band_low"], signal["band_high"]) == (70, 60, 100)
    assert (signal["region_code"], signal["target_source"]) == ("JZ99", "catalogue")
    # (70 - 65) / (70 - 60) band widths from the target.
    assert signal["severity"] == pytest.approx(0.5)


def test_a_kpi_without_a_target_has_no_signal(steering_world):
    assert query(
        steering_world, "select count(*) from marts.steering_signals where kpi_id = 'trajectories_active'"
    ) == [(0,)]


def test_every_quarter_of_a_scope_is_a_row(steering_world):
    quarters = query(
        steering_world,
        "select period, status from marts.steering_signals where kpi_id = 'early_termination_share' "
        "and scope_code = 'GM9903' and period like '2024%' order by period",
    )
    assert quarters == [("2024-Q1", "amber"), ("2024-Q2", "no_data"), ("2024-Q3", "no_data"), ("2024-Q4", "no_data")]


@pytest.mark.parametrize(
    ("provider", "status", "trend", "values"),
    [
        # Slope 1.3 per quarter (least squares over 8, 9, 10, 12): 3.9 over the window > 5% of the band width 15.
        (P3, "amber", "worsening", [8, 9, 10, 12]),
        (P4, "green", "improving", [14, 12, 10, 8]),
        # Slope 0.02: 0.06 over the window <= 0.75.
        (P5, "amber", "stable", [10, 10.1, 10, 10.1]),
        # Two values of four.
        (P6, "amber", "insufficient_data", [None, None, 10, 11]),
    ],
)
def test_trend_over_the_last_four_quarters(steering_world, provider, status, trend, values):
    signal = signals_of(steering_world)[("early_termination_share", "provider", provider, "2024-Q4")]
    assert (signal["status"], signal["trend"], signal["region_code"]) == (status, trend, None)
    assert json.loads(signal["trend_values"]) == [None if v is None else pytest.approx(v) for v in values]


def drivers_of(db_path, kpi_id, scope_type, scope_code, period="2024-Q3") -> dict[str, list[tuple]]:
    rows = query(
        db_path,
        "select driver_type, driver_code, contribution, share, driver_rank from marts.steering_drivers "
        "where kpi_id = ? and scope_type = ? and scope_code = ? and period = ? order by driver_type, driver_rank",
        [kpi_id, scope_type, scope_code, period],
    )
    by_type: dict[str, list[tuple]] = {}
    for driver_type, *rest in rows:
        by_type.setdefault(driver_type, []).append(tuple(rest))
    return by_type


def test_ratio_drivers_are_the_parts_of_the_deviation(steering_world):
    drivers = drivers_of(steering_world, "early_termination_share", "region", "JZ99")
    # Deviation 20 - 10 = 10. Municipalities: (30 - 0.1 x 100) / 200 and (10 - 0.1 x 100) / 200, in percent.
    assert drivers["municipality"] == [
        ("GM9901", pytest.approx(10.0), pytest.approx(1.0), 1),
        ("GM9902", pytest.approx(0.0, abs=1e-12), pytest.approx(0.0, abs=1e-12), 2),
    ]
    # Providers over both municipalities: P1 (20 + 5 - 0.1 x 110) / 200, P2 (10 + 5 - 0.1 x 90) / 200.
    assert drivers["provider"] == [
        (P1, pytest.approx(7.0), pytest.approx(0.7), 1),
        (P2, pytest.approx(3.0), pytest.approx(0.3), 2),
    ]
    assert "care_form" not in drivers
    signal = signals_of(steering_world)[("early_termination_share", "region", "JZ99", "2024-Q3")]
    # Named from dim_municipality, each with its contribution in percentage points.
    assert (signal["status"], signal["drivers"]) == (
        "red",
        "Testgemeente 1 +10,0 procentpunt, Testgemeente 2 0,0 procentpunt",
    )


def test_a_municipality_signal_names_its_providers(steering_world):
    # GM9901: 30 - 10 = 20; P1 (20 - 0.1 x 50) / 100 = 15, P2 (10 - 0.1 x 50) / 100 = 5.
    drivers = drivers_of(steering_world, "early_termination_share", "municipality", "GM9901")
    assert drivers["provider"] == [
        (P1, pytest.approx(15.0), pytest.approx(0.75), 1),
        (P2, pytest.approx(5.0), pytest.approx(0.25), 2),
    ]
    signal = signals_of(steering_world)[("early_termination_share", "municipality", "GM9901", "2024-Q3")]
    # P1 has no name in dim_provider and keeps its code.
    assert signal["drivers"] == f"{P1} +15,0 procentpunt, Zorgaanbieder Twee +5,0 procentpunt"


def test_level_drivers_add_up_to_the_region_when_the_parts_overlap(steering_world):
    # 12 against target 0; the municipalities count 8 + 5 = 13, so the residual -1 is spread by weight 8/13, 5/13.
    drivers = drivers_of(steering_world, "residential_under_12", "region", "JZ99")
    assert drivers["municipality"] == [
        ("GM9901", pytest.approx(12 * 8 / 13), pytest.approx(8 / 13), 1),
        ("GM9902", pytest.approx(12 * 5 / 13), pytest.approx(5 / 13), 2),
    ]
    signal = signals_of(steering_world)[("residential_under_12", "region", "JZ99", "2024-Q3")]
    # 12 x 8/13 = 7.38 and 12 x 5/13 = 4.62 youths.
    assert signal["drivers"] == "Testgemeente 1 +7,4, Testgemeente 2 +4,6"


def test_green_and_no_data_signals_have_no_drivers(steering_world):
    assert drivers_of(steering_world, "early_termination_share", "municipality", "GM9902") == {}
    assert (
        signals_of(steering_world)[("early_termination_share", "municipality", "GM9902", "2024-Q3")]["drivers"] is None
    )


def test_every_driver_type_adds_up_to_the_deviation(steering_world):
    sums = query(
        steering_world,
        "select d.kpi_id, d.scope_type, d.scope_code, d.period, d.driver_type, sum(d.contribution), "
        "max(s.value - s.target) from marts.steering_drivers as d join marts.steering_signals as s "
        "using (kpi_id, scope_type, scope_code, period) group by all",
    )
    assert len(sums) >= 4
    for *key, total, deviation in sums:
        assert total == pytest.approx(deviation, abs=1e-9), key


def test_region_agenda_ranks_red_before_amber_then_by_severity(steering_world):
    agenda = query(
        steering_world,
        "select item_rank, item_type, kpi_id, scope_code, summary_nl, question_nl from marts.dialogue_agenda "
        "where region_code = 'JZ99' and provider_agb is null and period = '2024-Q3' order by item_rank",
    )
    # Severities: residential 12 (zero-width band, in youths), GM9901 (30 - 10) / 5 = 4, JZ99 (20 - 10) / 5 = 2,
    # the amber (70 - 65) / 10 = 0.5 last.
    # Then GM9901's budget breach, then P1's cap warning (P1 delivers in JZ99 this quarter); GM9902's budget
    # warning is no item.
    assert [row[:4] for row in agenda] == [
        (1, "red_signal", "residential_under_12", "JZ99"),
        (2, "red_signal", "early_termination_share", "GM9901"),
        (3, "red_signal", "early_termination_share", "JZ99"),
        (4, "budget_breach", None, "GM9901"),
        (5, "cap_warning", None, P1),
        (6, "amber_signal", "ended_according_to_plan_share", "JZ99"),
    ]
    assert "verwachte overschrijding EUR 20000,00" in agenda[3][4]
    assert "perceel Ambulant" in agenda[3][5]
    assert "Testgemeente 1 +7,4, Testgemeente 2 +4,6" in agenda[0][4]
    assert all(question.endswith("?") for *_, question in agenda)
    assert all(question.startswith("Waarom ") for _, item_type, *_, question in agenda if item_type.endswith("signal"))


def test_provider_agenda_holds_the_signals_it_drives(steering_world):
    agenda = query(
        steering_world,
        "select item_rank, kpi_id, scope_code, question_nl from marts.dialogue_agenda "
        f"where region_code = 'JZ99' and provider_agb = '{P1}' and period = '2024-Q3' order by item_rank",
    )
    # P1 drives 75% of GM9901's deviation (severity 4 x 0.75 = 3) and 70% of JZ99's (2 x 0.7 = 1.4).
    assert [row[:3] for row in agenda] == [
        (1, "early_termination_share", "GM9901"),
        (2, "early_termination_share", "JZ99"),
        (3, None, P1),
    ]
    # P1 adds (20 - 0.1 x 50) / 100 = 15 percentage points to GM9901's deviation.
    assert f"aanbieder {P1} +15,0 procentpunt bij aan de afwijking" in agenda[0][3]


@pytest.mark.parametrize(
    ("kpi_id", "same_value_without_override", "status_without", "status_with"),
    [
        # 70: on the catalogue target in JZ99; below JZ98's own target 75 but inside its band from 65, amber.
        ("ended_according_to_plan_share", "GM9902", "green", "amber"),
        # 12: amber against the catalogue's 10; on JZ98's own target 12, green.
        ("early_termination_share", "GM9903", "amber", "green"),
    ],
)
def test_the_region_override_changes_the_status(
    steering_world, kpi_id, same_value_without_override, status_without, status_with
):
    signals = signals_of(steering_world)
    without = signals[(kpi_id, "municipality", same_value_without_override, "2024-Q1")]
    with_override = signals[(kpi_id, "municipality", "GM9801", "2024-Q1")]
    assert without["value"] == with_override["value"]
    assert (without["status"], without["target_source"]) == (status_without, "catalogue")
    assert (with_override["status"], with_override["target_source"]) == (status_with, "region")


def test_the_override_applies_to_the_region_and_its_municipalities_only(steering_world):
    targets = dict(
        query(
            steering_world,
            "select scope_code, max(target) from marts.steering_signals "
            "where kpi_id = 'ended_according_to_plan_share' group by scope_code",
        )
    )
    assert targets["GM9801"] == 75
    assert {code: target for code, target in targets.items() if code != "GM9801"} == {
        code: 70 for code in targets if code != "GM9801"
    }


def test_a_target_only_override_keeps_the_catalogue_band(steering_world):
    signal = signals_of(steering_world)[("early_termination_share", "municipality", "GM9801", "2024-Q1")]
    assert (signal["target"], signal["band_low"], signal["band_high"]) == (12, 0, 15)


@pytest.mark.parametrize(
    ("period", "target", "band_high", "status"),
    [
        # Base 2023-Q1 20: target 20 x 0.95 = 19, band_high 20 x 1.00 = 20; 21 is above the base level.
        ("2024-Q1", 19.0, 20.0, "red"),
        ("2024-Q2", 19.0, 20.0, "green"),  # 18 <= 19
        ("2024-Q3", 19.0, 20.0, "amber"),  # 19 < 20 <= 20
    ],
)
def test_a_base_year_target_is_a_change_on_the_same_quarter_of_the_base_year(
    steering_world, period, target, band_high, status
):
    signal = signals_of(steering_world)[("residential_under_12", "municipality", "GM9401", period)]
    assert signal["target"] == pytest.approx(target) and signal["band_high"] == pytest.approx(band_high)
    # band_low: 20 x 0.93, the ambition's far end (unused by a lower-is-better status).
    assert signal["band_low"] == pytest.approx(18.6)
    assert (signal["status"], signal["target_source"], signal["no_data_reason"]) == (status, "region_base_year", None)


def test_without_a_base_year_value_the_target_is_unknown_not_made_up(steering_world):
    """2024-Q4 has a value but its base, 2023-Q4, has none: no target, no status. The base year's own quarters are
    measured against themselves (2023-Q1: 20 against 19, amber)."""
    signals = signals_of(steering_world)
    signal = signals[("residential_under_12", "municipality", "GM9401", "2024-Q4")]
    assert signal["value"] == 15
    assert (signal["target"], signal["band_low"], signal["band_high"], signal["severity"]) == (None,) * 4
    assert (signal["status"], signal["no_data_reason"]) == ("no_data", "no_base_year_value")
    base = signals[("residential_under_12", "municipality", "GM9401", "2023-Q1")]
    assert (base["target"], base["status"]) == (pytest.approx(19.0), "amber")

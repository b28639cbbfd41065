"""A tiny warehouse in the shape of the marts the quarterly report reads (contracts in dbt_project and the issue-7
contract), with hand-written rows, so the report can be tested without running the pipeline."""

from __future__ import annotations

from pathlib import Path

import duckdb

HOSTILE_NAME = '=HYPERLINK("http://example.invalid","<script>alert(1)</script>")'
"""A municipality name from outside input that is both HTML and a spreadsheet formula."""

SCHEMA = """
create schema marts;
create table marts.dim_region (region_code varchar, region_name varchar);
create table marts.dim_municipality (municipality_code varchar, municipality_name varchar, region_code varchar);
create table marts.dim_kpi (kpi_id varchar, name_nl varchar, unit varchar, direction varchar, lever varchar,
    policy_goal varchar);
create table marts.dim_care_form (care_form_code varchar, care_form_name_nl varchar);
create table marts.dim_referrer (referrer_type_code varchar, referrer_type_name_nl varchar);
create table marts.kpi_values (kpi_id varchar, scope_type varchar, scope_code varchar, period_type varchar,
    period varchar, value double, numerator decimal(18, 2), denominator decimal(18, 2), unit varchar,
    suppressed boolean);
create table marts.steering_signals (kpi_id varchar, name_nl varchar, scope_type varchar, scope_code varchar,
    region_code varchar, period varchar, value double, target double, band_low double, band_high double,
    direction varchar, status varchar, lever varchar, policy_goal varchar, trend varchar, trend_values varchar,
    drivers varchar);
create table marts.cost_variance (region_code varchar, care_form_code varchar, period_type varchar,
    period_from varchar, period_to varchar, cost_from_cents bigint, cost_to_cents bigint, change_cents bigint,
    volume_effect_cents bigint, mix_effect_cents bigint, intensity_effect_cents bigint, price_effect_cents bigint);
create table marts.budget_forecast (municipality_code varchar, region_code varchar, perceel varchar, year integer,
    as_of_period varchar, realised_cents_ytd bigint, forecast_year_end_cents bigint, budget_cents bigint,
    expected_overrun_cents bigint, boundary_status varchar, forecast_error_bound_cents bigint);
create table marts.provider_revenue_forecast (provider_agb varchar, year integer, as_of_period varchar,
    revenue_cents_ytd bigint, forecast_year_end_cents bigint, cap_cents bigint, forecast_share_of_cap double,
    early_warning boolean, forecast_error_bound_cents bigint);
create table marts.dialogue_agenda (region_code varchar, provider_agb varchar, period varchar, item_rank integer,
    item_type varchar, kpi_id varchar, scope_type varchar, scope_code varchar, summary_nl varchar,
    question_nl varchar);
create table marts.fct_referral (allocation_number varchar, municipality_code varchar, provider_agb varchar,
    referrer_type_code varchar, allocated_on date);
create table marts.fct_declaration_line (municipality_code varchar, provider_agb varchar, period_start date,
    amount_cents bigint);
"""

ROWS = {
    "dim_region": [("JZ11", "Zuid-Kennemerland"), ("JZ10", "IJmond")],
    "dim_municipality": [
        ("GM0392", "Haarlem", "JZ11"),
        ("GM0377", HOSTILE_NAME, "JZ11"),
        ("GM0453", "Velsen", "JZ10"),
    ],
    "dim_kpi": [
        ("closed_placements", "Gesloten plaatsingen", "count", "lower_is_better", "boundaries", "veilig opgroeien"),
        (
            "early_termination_share",
            "Aandeel voortijdig beëindigd",
            "percent",
            "lower_is_better",
            "diagnostic",
            "tijdig best passende hulp",
        ),
        (
            "cost_per_client",
            "Kosten per jongere",
            "EUR_per_client",
            "lower_is_better",
            "diagnostic",
            "tijdig best passende hulp",
        ),
    ],
    "dim_care_form": [("ambulant", "Ambulant"), ("residentieel", "Residentieel")],
    "dim_referrer": [("01", "Gemeente"), ("02", "Huisarts")],
    "kpi_values": [
        ("closed_placements", "region", "JZ11", "quarter", "2024-Q2", 3.0, 3, None, "count", False),
        ("closed_placements", "municipality", "GM0392", "quarter", "2024-Q2", 3.0, 3, None, "count", False),
        ("closed_placements", "municipality", "GM0377", "quarter", "2024-Q2", 0.0, 0, None, "count", False),
        ("early_termination_share", "region", "JZ11", "quarter", "2024-Q2", 12.5, 5, 40, "percent", False),
        ("cost_per_client", "region", "JZ11", "quarter", "2024-Q2", 4321.5, 43215000, 100, "EUR_per_client", False),
        (
            "cost_per_client",
            "municipality",
            "GM0392",
            "quarter",
            "2024-Q2",
            5000.0,
            30000000,
            60,
            "EUR_per_client",
            False,
        ),
        ("closed_placements", "region", "JZ11", "quarter", "2024-Q1", 1.0, 1, None, "count", False),
        ("closed_placements", "region", "JZ11", "quarter", "2023-Q4", 2.0, 2, None, "count", False),
        ("closed_placements", "region", "JZ11", "year", "2024", 4.0, 4, None, "count", False),
        ("closed_placements", "municipality", "GM0453", "quarter", "2024-Q2", 5.0, 5, None, "count", False),
        ("closed_placements", "region", "JZ10", "quarter", "2024-Q2", 5.0, 5, None, "count", False),
    ],
    "steering_signals": [
        (
            "closed_placements",
            "Gesloten plaatsingen",
            "region",
            "JZ11",
            "JZ11",
            "2024-Q2",
            3.0,
            0.0,
            0.0,
            0.0,
            "lower_is_better",
            "red",
            "boundaries",
            "veilig opgroeien",
            "worsening",
            "[null, 2, 1, 3]",
            "GM0392 100%",
        ),
        (
            "closed_placements",
            "Gesloten plaatsingen",
            "municipality",
            "GM0392",
            "JZ11",
            "2024-Q2",
            3.0,
            0.0,
            0.0,
            0.0,
            "lower_is_better",
            "red",
            "boundaries",
            "veilig opgroeien",
            "worsening",
            "[null, 1, 1, 3]",
            None,
        ),
        (
            "closed_placements",
            "Gesloten plaatsingen",
            "municipality",
            "GM0377",
            "JZ11",
            "2024-Q2",
            0.0,
            0.0,
            0.0,
            0.0,
            "lower_is_better",
            "green",
            "boundaries",
            "veilig opgroeien",
            "stable",
            "[0, 0, 0, 0]",
            None,
        ),
        (
            "early_termination_share",
            "Aandeel voortijdig beëindigd",
            "region",
            "JZ11",
            "JZ11",
            "2024-Q2",
            12.5,
            10.0,
            0.0,
            15.0,
            "lower_is_better",
            "amber",
            "diagnostic",
            "tijdig best passende hulp",
            "stable",
            "[11.0, 12.0, 12.0, 12.5]",
            None,
        ),
        (
            "early_termination_share",
            "Aandeel voortijdig beëindigd",
            "municipality",
            "GM0377",
            "JZ11",
            "2024-Q2",
            None,
            10.0,
            0.0,
            15.0,
            "lower_is_better",
            "no_data",
            "diagnostic",
            "tijdig best passende hulp",
            "insufficient_data",
            "[null, null, null, null]",
            None,
        ),
        (
            "closed_placements",
            "Gesloten plaatsingen",
            "municipality",
            "GM0453",
            "JZ10",
            "2024-Q2",
            5.0,
            0.0,
            0.0,
            0.0,
            "lower_is_better",
            "red",
            "boundaries",
            "veilig opgroeien",
            "worsening",
            "[0, 1, 2, 5]",
            None,
        ),
        (
            "closed_placements",
            "Gesloten plaatsingen",
            "region",
            "JZ10",
            "JZ10",
            "2024-Q2",
            5.0,
            0.0,
            0.0,
            0.0,
            "lower_is_better",
            "red",
            "boundaries",
            "veilig opgroeien",
            "worsening",
            "[0, 1, 2, 5]",
            "GM0453 100%",
        ),
    ],
    "cost_variance": [
        # 100,000.00 -> 131,000.00: volume +16,000, mix +5,000, intensity +7,000, price +3,000 (sum = +31,000).
        ("JZ11", None, "quarter", "2023-Q2", "2024-Q2", 10000000, 13100000, 3100000, 1600000, 500000, 700000, 300000),
        (
            "JZ11",
            "ambulant",
            "quarter",
            "2023-Q2",
            "2024-Q2",
            6000000,
            6500000,
            500000,
            900000,
            -600000,
            100000,
            100000,
        ),
        (
            "JZ11",
            "residentieel",
            "quarter",
            "2023-Q2",
            "2024-Q2",
            4000000,
            6600000,
            2600000,
            700000,
            1100000,
            600000,
            200000,
        ),
    ],
    "budget_forecast": [
        (
            "GM0392",
            "JZ11",
            "Jeugdhulp ambulant",
            2024,
            "2024-Q2",
            40000000,
            85000000,
            80000000,
            5000000,
            "breach",
            3000000,
        ),
        (
            "GM0377",
            "JZ11",
            "Jeugdhulp ambulant",
            2024,
            "2024-Q2",
            10000000,
            19000000,
            20000000,
            -1000000,
            "within",
            800000,
        ),
    ],
    "provider_revenue_forecast": [
        ("98060001", 2024, "2024-Q2", 30000000, 70000000, 60000000, 70000000 / 60000000, True, 4000000),
        ("98060002", 2024, "2024-Q2", 1000000, 2000000, None, None, False, 100000),
    ],
    "dialogue_agenda": [
        (
            "JZ11",
            None,
            "2024-Q2",
            1,
            "red_signal",
            "closed_placements",
            "region",
            "JZ11",
            "Gesloten plaatsingen: 3 (doel 0)",
            "Welke alternatieven waren er voor deze plaatsingen?",
        ),
        (
            "JZ11",
            None,
            "2024-Q2",
            2,
            "budget_breach",
            None,
            "municipality",
            "GM0392",
            "Haarlem, Jeugdhulp ambulant: verwachte overschrijding € 50.000",
            "Waar komt de overschrijding vandaan?",
        ),
        (
            "JZ11",
            "98060001",
            "2024-Q2",
            1,
            "cap_warning",
            None,
            "provider",
            "98060001",
            "Prognose 117% van het omzetplafond",
            "Hoe voorkomen we een wachtlijst bij het bereiken van het plafond?",
        ),
    ],
    "fct_referral": [
        ("A1", "GM0392", "98060001", "01", "2024-04-03"),
        ("A2", "GM0392", "98060001", "02", "2024-05-10"),
        ("A3", "GM0377", "98060002", "02", "2024-06-30"),
        ("A4", "GM0377", "98060002", "02", "2024-07-01"),
        ("A5", "GM0453", "98060002", "01", "2024-04-01"),
    ],
    "fct_declaration_line": [
        ("GM0392", "98060001", "2024-04-01", 100000),
        ("GM0377", "98060002", "2024-05-01", 50000),
    ],
}


def build_report_marts(path: Path, without: tuple[str, ...] = ()) -> Path:
    """Write the tiny warehouse to path; tables named in `without` stay empty (an absent source)."""
    with duckdb.connect(str(path)) as con:
        con.execute(SCHEMA)
        for table, rows in ROWS.items():
            if table in without or not rows:
                continue
            placeholders = ", ".join("?" * len(rows[0]))
            con.executemany(f"insert into marts.{table} values ({placeholders})", rows)
    return path

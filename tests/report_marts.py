"""A tiny warehouse in the shape of the tables the quarterly report's dbt models read (the public tier, schema
public_marts, and the one internal mart that says which providers declared where; contracts in dbt_project), with
hand-written rows as published (withheld figures null), and the report layer dbt builds on them: the report's models
and its renderer tested together without running the pipeline."""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb

from orchestration.report.data import REPORT_MODELS

DBT_PROJECT = Path(__file__).resolve().parents[1] / "dbt_project"

INTERNAL_MARTS = {"fct_declaration_line"}
"""Read from the marts: which providers declared in a region (no figure of it is shown)."""
NL_SOURCES = {"early_termination_share": "CBS 85097NED, voortijdig beeindigd (test)"}
"""kpi_catalogue.nl_source of the KPIs with a national figure."""
AUDIT_TIER = {"declaration_line_lineage": "audit_tier"}
"""Read from the audit tier: the declaration dates a report's data cut is the latest of."""
HOSTILE_NAME = '=HYPERLINK("http://example.invalid","<script>alert(1)</script>")'
"""A municipality name from outside input that is both HTML and a spreadsheet formula."""

SCHEMA = """
create schema public_marts;
create schema marts;
create table public_marts.dim_region (region_code varchar, region_name varchar);
create table public_marts.dim_municipality (municipality_code varchar, municipality_name varchar, region_code varchar,
    size_class_code varchar, size_class_name_nl varchar);
create table public_marts.fct_population (municipality_code varchar, year integer, youth_0_17 bigint,
    population_total bigint, status varchar, table_id varchar);
create table public_marts.dim_kpi (kpi_id varchar, name_nl varchar, unit varchar, direction varchar, lever varchar,
    policy_goal varchar, definition varchar, numerator varchar, denominator varchar, source_document varchar,
    nl_source varchar);
create table public_marts.fct_cbs_indicator (table_id varchar, scope_type varchar, scope_code varchar,
    period_type varchar, period varchar, status varchar);
create table public_marts.dim_provider (provider_agb varchar, provider_name varchar);
create table public_marts.dim_care_form (care_form_code varchar, care_form_name_nl varchar);
create table public_marts.dim_referrer (referrer_type_code varchar, referrer_type_name_nl varchar);
create table public_marts.kpi_values (kpi_id varchar, scope_type varchar, scope_code varchar, period_type varchar,
    period varchar, value double, numerator decimal(18, 2), denominator decimal(18, 2), unit varchar,
    lookback_complete boolean, suppressed boolean, is_withheld boolean);
create table public_marts.kpi_coverage (region_code varchar, period_type varchar, period varchar,
    municipality_code varchar, is_complete boolean, municipalities_in_region integer, municipalities_covered integer,
    coverage_warning boolean);
create schema audit_tier;
create table audit_tier.declaration_line_lineage (municipality_code varchar, declaration_date date,
    file_sha256 varchar);
create table public_marts.steering_signals (kpi_id varchar, name_nl varchar, scope_type varchar, scope_code varchar,
    region_code varchar, period varchar, value double, target double, band_low double, band_high double,
    direction varchar, status varchar, lever varchar, policy_goal varchar, trend varchar, trend_values varchar,
    drivers varchar, no_data_reason varchar);
create table public_marts.cost_variance (region_code varchar, care_form_code varchar, period_type varchar,
    period_from varchar, period_to varchar, cost_from_cents bigint, cost_to_cents bigint, change_cents bigint,
    volume_effect_cents bigint, mix_effect_cents bigint, intensity_effect_cents bigint, price_effect_cents bigint);
create table public_marts.budget_forecast (municipality_code varchar, region_code varchar, perceel varchar,
    year integer, as_of_period varchar, realised_cents_ytd bigint, forecast_year_end_cents bigint, budget_cents bigint,
    expected_overrun_cents bigint, boundary_status varchar, forecast_error_bound_cents bigint);
create table public_marts.provider_revenue_forecast (provider_agb varchar, year integer, as_of_period varchar,
    revenue_cents_ytd bigint, forecast_year_end_cents bigint, cap_cents bigint, forecast_share_of_cap double,
    early_warning boolean, forecast_error_bound_cents bigint);
create table public_marts.dialogue_agenda (region_code varchar, provider_agb varchar, period varchar, item_rank integer,
    item_type varchar, kpi_id varchar, scope_type varchar, scope_code varchar, summary_nl varchar,
    question_nl varchar);
create table marts.fct_declaration_line (municipality_code varchar, provider_agb varchar, period_start date,
    amount_cents bigint);
create table public_marts.dim_date as
    select cast(day as date) as date_day, cast(year(day) as integer) as year, cast(month(day) as integer) as month,
        year(day) || '-Q' || quarter(day) as quarter, year(day) || '-H' || (1 + (quarter(day) > 2)::int) as half_year
    from range(date '2022-01-01', date '2026-01-01', interval 1 day) as days(day);
"""

KPIS = {
    # kpi_id: name_nl, unit, direction, lever, policy_goal, target, band_low, band_high
    "referrer_share_01": ("Aandeel verwezen door gemeente", "percent", "none", "diagnostic", "", None, None, None),
    "referrer_share_02": ("Aandeel verwezen door huisarts", "percent", "none", "diagnostic", "", None, None, None),
    "closed_placements": (
        "Gesloten plaatsingen",
        "count",
        "lower_is_better",
        "boundaries",
        "veilig opgroeien",
        0,
        0,
        0,
    ),
    "early_termination_share": (
        "Aandeel voortijdig beëindigd",
        "percent",
        "lower_is_better",
        "diagnostic",
        "tijdig best passende hulp",
        10,
        0,
        15,
    ),
    "cost_per_client": ("Kosten per jongere", "EUR_per_client", "lower_is_better", "diagnostic", "", None, None, None),
    # Divides by CBS's population (03759ned): wherever the report shows it, it names CBS as its source.
    "youth_in_care_share": ("Aandeel jongeren met jeugdhulp", "percent", "none", "diagnostic", "", None, None, None),
    # Only at provider scope here: a provider edition's definitions sheet defines it, the region's has no row of it.
    "mean_days_allocation_to_start": (
        "Dagen van toewijzing tot start",
        "days",
        "lower_is_better",
        "diagnostic",
        "",
        None,
        None,
        None,
    ),
}


def kpi_value(
    kpi_id, scope_type, scope_code, period, value, numerator, denominator=None, period_type="quarter", lookback=None
):
    unit = KPIS[kpi_id][1]
    return (kpi_id, scope_type, scope_code, period_type, period, value, numerator, denominator, unit, lookback) + (
        False,
        False,
    )


def withheld(kpi_id, scope_type, scope_code, period):
    """A row as the public tier holds a withheld one."""
    return (kpi_id, scope_type, scope_code, "quarter", period, None, None, None, KPIS[kpi_id][1], None, True, True)


def signal(kpi_id, scope_type, scope_code, region_code, value, status, trend, trend_values, drivers=None, reason=None):
    name, _, direction, lever, goal, target, band_low, band_high = KPIS[kpi_id]
    return (kpi_id, name, scope_type, scope_code, region_code, "2024-Q2", value, target, band_low, band_high) + (
        direction,
        status,
        lever,
        goal,
        trend,
        trend_values,
        drivers,
        reason,
    )


ROWS = {
    "dim_region": [("JZ11", "Zuid-Kennemerland"), ("JZ10", "IJmond")],
    "dim_municipality": [
        ("GM0392", "Haarlem", "JZ11", "7", "150 000 tot 250 000 inwoners"),
        ("GM0377", HOSTILE_NAME, "JZ11", "4", "20 000 tot 50 000 inwoners"),
        ("GM0453", "Velsen", "JZ10", "5", "50 000 tot 100 000 inwoners"),
    ],
    # CBS 03759ned's status per year, as the ingest keeps it; JZ10's municipality has a provisional 2024.
    "fct_population": [
        ("GM0392", 2024, 30000, 164000, "definitief", "03759ned"),
        ("GM0377", 2024, 5000, 23900, "definitief", "03759ned"),
        ("GM0453", 2024, 14000, 69000, "voorlopig", "03759ned"),
    ],
    "dim_kpi": [
        (
            kpi_id,
            *KPIS[kpi_id][:5],
            f"Definitie van {kpi_id}",
            "teller",
            "noemer",
            "CBS 85099NED",
            NL_SOURCES.get(kpi_id),
        )
        for kpi_id in KPIS
    ],
    # CBS's status per table and year, as the ingest keeps it from the table's period metadata.
    "fct_cbs_indicator": [
        ("85097NED", "nl", "NL01", "year", "2023", "definitief"),
        ("85097NED", "nl", "NL01", "year", "2024", "voorlopig"),
    ],
    # 98060002 has no name in the region's seed: it is shown by its code.
    "dim_provider": [("98060001", "Stichting De Linde")],
    "dim_care_form": [("ambulant", "Ambulant"), ("residentieel", "Residentieel")],
    "dim_referrer": [("01", "Gemeente"), ("02", "Huisarts")],
    "kpi_values": [
        kpi_value("referrer_share_01", "region", "JZ11", "2024-Q2", 40.0, 20, 50),
        kpi_value("referrer_share_01", "municipality", "GM0392", "2024-Q2", 40.0, 10, 25),
        kpi_value("referrer_share_01", "municipality", "GM0377", "2024-Q2", 40.0, 10, 25),
        kpi_value("referrer_share_02", "region", "JZ11", "2024-Q2", 60.0, 30, 50),
        withheld("referrer_share_02", "municipality", "GM0392", "2024-Q2"),
        withheld("referrer_share_02", "municipality", "GM0377", "2024-Q2"),
        kpi_value("referrer_share_01", "municipality", "GM0453", "2024-Q2", 100.0, 12, 12),
        kpi_value("closed_placements", "region", "JZ11", "2024-Q2", 3.0, 3),
        kpi_value("closed_placements", "municipality", "GM0392", "2024-Q2", 3.0, 3),
        kpi_value("closed_placements", "municipality", "GM0377", "2024-Q2", 0.0, 0),
        kpi_value("early_termination_share", "region", "JZ11", "2024-Q2", 12.5, 5, 40, lookback=False),
        kpi_value("cost_per_client", "region", "JZ11", "2024-Q2", 4321.5, 43215000, 100),
        kpi_value("cost_per_client", "municipality", "GM0392", "2024-Q2", 5000.0, 30000000, 60),
        kpi_value("closed_placements", "region", "JZ11", "2024-Q1", 1.0, 1),
        kpi_value("closed_placements", "region", "JZ11", "2023-Q4", 2.0, 2),
        kpi_value("closed_placements", "region", "JZ11", "2024", 4.0, 4, period_type="year"),
        kpi_value("closed_placements", "municipality", "GM0453", "2024-Q2", 5.0, 5),
        kpi_value("closed_placements", "region", "JZ10", "2024-Q2", 5.0, 5),
        # Size classes (all delivering municipalities of the class, of any region): Haarlem's class 7 had 4 closed
        # placements and a cost per client of 4,800; GM0377's class 4 is withheld; no class has early termination.
        kpi_value("closed_placements", "size_class", "7", "2024-Q2", 4.0, 4),
        withheld("closed_placements", "size_class", "4", "2024-Q2"),
        kpi_value("cost_per_client", "size_class", "7", "2024-Q2", 4800.0, 48000000, 100),
        kpi_value("youth_in_care_share", "region", "JZ11", "2024-Q2", 10.0, 3500, 35000),
        kpi_value("youth_in_care_share", "municipality", "GM0392", "2024-Q2", 10.0, 3000, 30000),
        kpi_value("mean_days_allocation_to_start", "provider", "98060001", "2024-Q2", 12.0, 120, 10),
        # National figures are CBS's, yearly: a 2024 report compares with 2024, never with a later year; a count
        # (closed_placements) gets no national column.
        kpi_value("early_termination_share", "nl", "NL01", "2023", 8.0, 80, 1000, period_type="year"),
        kpi_value("early_termination_share", "nl", "NL01", "2024", 9.0, 90, 1000, period_type="year"),
        kpi_value("early_termination_share", "nl", "NL01", "2025", 99.0, 990, 1000, period_type="year"),
        kpi_value("closed_placements", "nl", "NL01", "2024", 100.0, 100, period_type="year"),
    ],
    "steering_signals": [
        signal(
            "closed_placements", "region", "JZ11", "JZ11", 3.0, "red", "worsening", "[null, 2, 1, 3]", "GM0392 100%"
        ),
        signal("closed_placements", "municipality", "GM0392", "JZ11", 3.0, "red", "worsening", "[null, 1, 1, 3]"),
        signal("closed_placements", "municipality", "GM0377", "JZ11", 0.0, "green", "stable", "[0, 0, 0, 0]"),
        signal("early_termination_share", "region", "JZ11", "JZ11", 12.5, "amber", "stable", "[11, 12, 12, 12.5]"),
        signal(
            "early_termination_share",
            "municipality",
            "GM0377",
            "JZ11",
            None,
            "no_data",
            "insufficient_data",
            "[null, null, null, null]",
            reason="suppressed",
        ),
        signal("closed_placements", "municipality", "GM0453", "JZ10", 5.0, "red", "worsening", "[0, 1, 2, 5]"),
        signal("closed_placements", "region", "JZ10", "JZ10", 5.0, "red", "worsening", "[0, 1, 2, 5]", "GM0453 100%"),
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
    # 2024-Q2: of JZ11's two municipalities GM0377 (the hostile name) sent nothing; JZ10's one delivered. The
    # earlier quarters have no coverage rows.
    "kpi_coverage": [
        ("JZ11", "quarter", "2024-Q2", "GM0392", True, 2, 1, True),
        ("JZ11", "quarter", "2024-Q2", "GM0377", False, 2, 1, True),
        ("JZ10", "quarter", "2024-Q2", "GM0453", True, 1, 1, False),
        ("JZ11", "year", "2024", "GM0377", False, 2, 1, True),
    ],
    "declaration_line_lineage": [
        ("GM0392", "2024-07-15", "a" * 64),
        ("GM0392", "2024-08-02", "b" * 64),
        ("GM0377", "2024-08-20", "b" * 64),
        ("GM0453", "2024-06-30", "c" * 64),
        ("GM9999", "2024-12-31", "d" * 64),
    ],
    "fct_declaration_line": [
        ("GM0392", "98060001", "2024-04-01", 100000),
        ("GM0377", "98060002", "2024-05-01", 50000),
    ],
}


def build_report_marts(path: Path, without: tuple[str, ...] = (), without_kpis: tuple[str, ...] = ()) -> Path:
    """Write the tiny warehouse to path and build its report layer; tables named in `without` stay empty, and the KPIs
    named in `without_kpis` have no values (an absent source)."""
    with duckdb.connect(str(path)) as con:
        con.execute(SCHEMA)
        for table, all_rows in ROWS.items():
            rows = [row for row in all_rows if table != "kpi_values" or row[0] not in without_kpis]
            if table in without or not rows:
                continue
            placeholders = ", ".join("?" * len(rows[0]))
            schema = "marts" if table in INTERNAL_MARTS else AUDIT_TIER.get(table, "public_marts")
            con.executemany(f"insert into {schema}.{table} values ({placeholders})", rows)
    return build_report_layer(path)


@functools.cache
def _dbt_workspace() -> Path:
    """The folder where dbt builds every tiny warehouse of this test process, always under the same path: the path is
    in dbt's profile, and dbt parses the whole project again for a new profile but reuses its parse for the same one
    (half of each build's time here)."""
    workspace = Path(tempfile.mkdtemp(prefix="report-dbt-"))
    atexit.register(shutil.rmtree, workspace, True)
    return workspace


def build_report_layer(path: Path) -> Path:
    """`dbt build` of the report's models and their tests on the warehouse at path, as the KPI step runs them on the
    real marts. In a process of its own: dbt-duckdb keeps its connection open for the life of the process, and
    DuckDB then refuses the report's read-only one."""
    workspace = _dbt_workspace()
    built = workspace / "warehouse.duckdb"
    shutil.copy(path, built)
    dbt = Path(sys.executable).parent / "dbt"
    completed = subprocess.run(  # noqa: S603 - the project's own dbt, fixed arguments
        [str(dbt), "build", "--select", *REPORT_MODELS, "--project-dir", str(DBT_PROJECT), "--profiles-dir"]
        + [str(DBT_PROJECT), "--target-path", str(workspace / "dbt_target"), "--log-path", str(workspace)],
        # The profile takes the warehouse's path from the environment (dbt_project/profiles.yml).
        env={**os.environ, "WAREHOUSE_DUCKDB_PATH": str(built)},
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode:
        raise RuntimeError(f"dbt build of the report layer on {path} failed:\n{completed.stdout[-4000:]}")
    shutil.copy(built, path)
    return path

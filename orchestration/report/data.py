"""Read what the regions' quarterly reports show from the dbt report layer (schema `report`,
dbt_project/models/report), through a read-only DuckDB connection.

Every figure, label and order a report shows is computed in those models; this module only selects a model's
columns for one quarter, in the model's own order, and hands each region its rows. A model may hold no rows for a
region and quarter (a landing directory without budgets has no budget forecast, the first year of traffic has no cost
variance against a year earlier): the reader then returns an empty list and the report says "geen gegevens" for that
section, it never fails on it.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import duckdb

Row = dict[str, Any]
REPORT_SCHEMA = "report"


@dataclass(frozen=True)
class Dataset:
    """One report model as the renderer reads it: its columns and the column(s) giving its order within a report."""

    model: str
    columns: tuple[str, ...]
    order: str

    def query(self, where: str) -> str:
        """The only shape of query the report runs (tests/test_report.py checks it)."""
        # Identifiers from the constants below, never from input; the quarter is a bound parameter.
        columns = ", ".join(self.columns)
        return f"select region_code, {columns} from {REPORT_SCHEMA}.{self.model} where {where} order by region_code, {self.order}"  # noqa: S608, E501


MUNICIPALITIES = Dataset("rpt_municipalities", ("municipality_code", "municipality_name"), "municipality_code")
PERIODS = Dataset("rpt_periods", ("quarter", "region_name"), "quarter")
DATASETS = {
    "signals": Dataset(
        "rpt_signals",
        (
            "kpi_id",
            "name_nl",
            "scope_type",
            "scope_code",
            "value",
            "target",
            "band_low",
            "band_high",
            "direction",
            "status",
            "lever",
            "policy_goal",
            "trend",
            "trend_values",
            "drivers",
            "no_data_reason",
            "unit",
            "matrix_order",
        ),
        "signal_order",
    ),
    "signal_counts": Dataset("rpt_signal_counts", ("status", "signal_count"), "status_order"),
    "other_kpis": Dataset(
        "rpt_other_kpis", ("kpi_id", "name_nl", "value", "unit", "lever", "policy_goal"), "row_order"
    ),
    "kpi_rows": Dataset(
        "rpt_kpi_rows",
        (
            "kpi_id",
            "name_nl",
            "scope_type",
            "scope_code",
            "scope_name",
            "period",
            "value",
            "numerator",
            "denominator",
            "unit",
            "target",
            "band_low",
            "band_high",
            "status",
            "trend",
            "lever",
            "policy_goal",
        ),
        "row_order",
    ),
    "cost_variance": Dataset(
        "rpt_cost_variance",
        (
            "care_form_code",
            "care_form_name",
            "period_from",
            "period_to",
            "cost_from_cents",
            "cost_to_cents",
            "change_cents",
            "volume_effect_cents",
            "mix_effect_cents",
            "intensity_effect_cents",
            "price_effect_cents",
            "change_share",
            "is_region_total",
        ),
        "row_order",
    ),
    "budget_forecast": Dataset(
        "rpt_budget_forecast",
        (
            "municipality_code",
            "municipality_name",
            "perceel",
            "realised_cents_ytd",
            "forecast_year_end_cents",
            "budget_cents",
            "expected_overrun_cents",
            "boundary_status",
            "forecast_error_bound_cents",
        ),
        "row_order",
    ),
    "budget_totals": Dataset(
        "rpt_budget_totals",
        ("realised_cents_ytd", "forecast_year_end_cents", "budget_cents", "expected_overrun_cents", "breaches"),
        "quarter",
    ),
    "budget_as_of": Dataset("rpt_budget_periods", ("as_of_period",), "as_of_period"),
    "provider_revenue": Dataset(
        "rpt_provider_revenue",
        (
            "provider_agb",
            "revenue_cents_ytd",
            "forecast_year_end_cents",
            "cap_cents",
            "forecast_share_of_cap",
            "early_warning",
            "forecast_error_bound_cents",
        ),
        "row_order",
    ),
    "agenda": Dataset(
        "rpt_agenda",
        ("provider_agb", "item_rank", "item_type", "kpi_id", "scope_type", "scope_code", "summary_nl", "question_nl"),
        "row_order",
    ),
    "referrals": Dataset(
        "rpt_referrals",
        ("referrer_type_code", "referrer_name", "scope_type", "scope_code", "referrals", "allocations", "share"),
        "referrer_order, scope_code",
    ),
}
REPORT_MODELS = [dataset.model for dataset in (PERIODS, MUNICIPALITIES, *DATASETS.values())]
"""The dbt models (schema report) the report reads."""


@dataclass(frozen=True)
class ReportData:
    region_code: str
    region_name: str
    quarter: str
    municipalities: list[Row]
    """municipality_code, municipality_name of the region's municipalities."""
    signals: list[Row]
    """rpt_signals: the region's and its municipalities' signals, most urgent first, each with its trend_series."""
    signal_counts: list[Row]
    """rpt_signal_counts: status, signal_count, most urgent first."""
    other_kpis: list[Row]
    """rpt_other_kpis: the region's KPI values without a signal (no target in the catalogue)."""
    kpi_rows: list[Row]
    """rpt_kpi_rows: every KPI value of the region and its municipalities, with its signal: the workbook."""
    cost_variance: list[Row]
    """rpt_cost_variance: the region total first, then per care form."""
    budget_forecast: list[Row]
    """rpt_budget_forecast: per municipality and perceel, for the quarter's year as of the quarter."""
    budget_totals: list[Row]
    """rpt_budget_totals: the region's totals of budget_forecast (no row when it is empty)."""
    budget_as_of: list[str]
    """The quarters as of which the region has a budget forecast for the quarter's year (rpt_budget_periods)."""
    provider_revenue: list[Row]
    """rpt_provider_revenue: providers that declared in the region this year, early warnings first."""
    agenda: list[Row]
    referrals: list[Row]

    @property
    def region_signals(self) -> list[Row]:
        return [row for row in self.signals if row["scope_type"] == "region"]

    @property
    def municipality_signals(self) -> list[Row]:
        return [row for row in self.signals if row["scope_type"] == "municipality"]

    @property
    def red_signals(self) -> int:
        return next((row["signal_count"] for row in self.signal_counts if row["status"] == "red"), 0)


def _by_region(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any]) -> defaultdict[str, list[Row]]:
    """The rows of a query whose first column is the region they belong to, per region and without that column, in
    the query's order."""
    cursor = con.execute(sql, params)
    columns = [description[0] for description in cursor.description][1:]
    grouped: defaultdict[str, list[Row]] = defaultdict(list)
    for region_code, *row in cursor.fetchall():
        grouped[region_code].append(dict(zip(columns, row, strict=True)))
    return grouped


def report_periods(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """(region_code, quarter) of every report to write (rpt_periods), by region and quarter."""
    periods = _by_region(con, PERIODS.query("true"), [])
    return [(region_code, row["quarter"]) for region_code, rows in periods.items() for row in rows]


def load_quarter_data(con: duckdb.DuckDBPyConnection, quarter: str, region_codes: list[str]) -> list[ReportData]:
    """What the reports of the regions show for one quarter, in the order of region_codes.

    Each model is read once for every region of the quarter (per-region queries would scan it once per report)."""
    regions = _by_region(con, PERIODS.query("quarter = ?"), [quarter])
    municipalities = _by_region(con, MUNICIPALITIES.query("true"), [])
    data = {name: _by_region(con, dataset.query("quarter = ?"), [quarter]) for name, dataset in DATASETS.items()}
    for rows in data["signals"].values():
        for row in rows:
            row["trend_series"] = [
                None if value is None else float(value) for value in json.loads(row["trend_values"] or "[]")
            ]
    return [
        ReportData(
            region_code=region_code,
            region_name=next((row["region_name"] for row in regions[region_code]), region_code),
            quarter=quarter,
            municipalities=municipalities[region_code],
            **{name: rows[region_code] for name, rows in data.items() if name != "budget_as_of"},
            budget_as_of=[row["as_of_period"] for row in data["budget_as_of"][region_code]],
        )
        for region_code in region_codes
    ]

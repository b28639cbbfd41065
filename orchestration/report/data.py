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
from dataclasses import dataclass, field
from typing import Any

import duckdb

Row = dict[str, Any]
REPORT_SCHEMA = "report"


@dataclass(frozen=True)
class Dataset:
    """One report model as the renderer reads it: its columns and the column(s) giving its order within a report."""

    model: str
    columns: str
    """The model's columns the renderer reads, as the select list names them."""
    order: str

    def query(self, where: str) -> str:
        """The only shape of query the report runs (tests/test_report.py checks it)."""
        # Identifiers from the constants below, never from input; the quarter is a bound parameter.
        return f"select region_code, {self.columns} from {REPORT_SCHEMA}.{self.model} where {where} order by region_code, {self.order}"  # noqa: S608, E501


MUNICIPALITIES = Dataset("rpt_municipalities", "municipality_code, municipality_name", "municipality_code")
PERIODS = Dataset("rpt_periods", "quarter, region_name", "quarter")
DATASETS = {
    "signals": Dataset(
        "rpt_signals",
        (
            "kpi_id, name_nl, scope_type, scope_code, value, target, band_low, band_high, direction, status, "
            "lever, policy_goal, trend, trend_values, drivers, no_data_reason, unit, lookback_complete, "
            "matrix_order"
        ),
        "signal_order",
    ),
    "signal_counts": Dataset("rpt_signal_counts", "status, signal_count", "status_order"),
    "other_kpis": Dataset(
        "rpt_other_kpis",
        "kpi_id, name_nl, value, unit, lookback_complete, lever, policy_goal",
        "row_order",
    ),
    "kpi_rows": Dataset(
        "rpt_kpi_rows",
        (
            "kpi_id, name_nl, scope_type, scope_code, scope_name, period, value, numerator, denominator, unit, "
            "lookback_complete, target, band_low, band_high, status, trend, workbook_value, workbook_target, "
            "workbook_band_low, workbook_band_high, lever, policy_goal, size_class_name, size_class_value, "
            "workbook_size_class_value, cbs_source"
        ),
        "row_order",
    ),
    "kpi_definitions": Dataset(
        "rpt_kpi_definitions",
        "kpi_id, name_nl, definition, numerator, denominator, unit, direction, lever, policy_goal, source_document",
        "row_order",
    ),
    "cost_variance": Dataset(
        "rpt_cost_variance",
        (
            "care_form_code, care_form_name, period_from, period_to, cost_from_cents, cost_to_cents, change_cents, "
            "volume_effect_cents, mix_effect_cents, intensity_effect_cents, price_effect_cents, change_share, "
            "is_region_total"
        ),
        "row_order",
    ),
    "budget_forecast": Dataset(
        "rpt_budget_forecast",
        (
            "municipality_code, municipality_name, perceel, realised_cents_ytd, forecast_year_end_cents, "
            "budget_cents, expected_overrun_cents, boundary_status, forecast_error_bound_cents"
        ),
        "row_order",
    ),
    "budget_totals": Dataset(
        "rpt_budget_totals",
        "realised_cents_ytd, forecast_year_end_cents, budget_cents, expected_overrun_cents, breaches",
        "quarter",
    ),
    "budget_as_of": Dataset("rpt_budget_periods", "as_of_period", "as_of_period"),
    "provider_revenue": Dataset(
        "rpt_provider_revenue",
        (
            "provider_agb, provider_name, revenue_cents_ytd, forecast_year_end_cents, cap_cents, "
            "forecast_share_of_cap, early_warning, forecast_error_bound_cents"
        ),
        "row_order",
    ),
    "agenda": Dataset(
        "rpt_agenda",
        (
            "provider_agb, provider_name, item_rank, item_type, kpi_id, scope_type, scope_code, scope_name, "
            "summary_nl, question_nl"
        ),
        "row_order",
    ),
    "coverage": Dataset(
        "rpt_coverage",
        (
            "municipalities_in_region, municipalities_covered, coverage_warning, municipalities_missing, "
            "missing_municipality_names"
        ),
        "quarter",
    ),
    "data_cut": Dataset("rpt_data_cut", "data_cut_date, declaration_files", "quarter"),
    "comparisons": Dataset(
        "rpt_comparisons",
        "kpi_id, region_value, unit, nl_value, nl_period, nl_table_id, nl_status",
        "kpi_id",
    ),
    "cbs_sources": Dataset("rpt_cbs_sources", "kpi_id, role, table_id, source_line", "kpi_id, role"),
    "referrals": Dataset(
        "rpt_referrals",
        "referrer_type_code, referrer_name, scope_type, scope_code, referrals, allocations, share",
        "referrer_order, scope_code",
    ),
}
EDITIONS = Dataset("rpt_provider_editions", "quarter, provider_agb", "quarter, provider_agb")
PROVIDER_DATASETS = {
    "provider_revenue": DATASETS["provider_revenue"],
    "agenda": DATASETS["agenda"],
    "provider_kpi_rows": Dataset("rpt_provider_kpi_rows", DATASETS["kpi_rows"].columns, "row_order"),
    "provider_kpi_definitions": Dataset(
        "rpt_provider_kpi_definitions", DATASETS["kpi_definitions"].columns, "row_order"
    ),
}
"""A provider edition's own rows: read with provider_agb equal to the edition's provider, never the region's."""
EDITION_DATASETS = {
    **{name: dataset for name, dataset in DATASETS.items() if name not in PROVIDER_DATASETS},
    "signals": Dataset("rpt_provider_signals", DATASETS["signals"].columns, "signal_order"),
}
"""What a provider edition shows of its region: the region's aggregates, its signals without provider drivers."""
REPORT_MODELS = list(
    dict.fromkeys(
        dataset.model
        for datasets in ((PERIODS, MUNICIPALITIES, EDITIONS), DATASETS.values(), EDITION_DATASETS.values())
        for dataset in (*datasets, *PROVIDER_DATASETS.values())
    )
)
"""The dbt models (schema report) the report reads, region and provider editions."""


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
    kpi_definitions: list[Row]
    """rpt_kpi_definitions (a provider edition: rpt_provider_kpi_definitions): the catalogue's definitions of the
    workbook's KPIs, by name."""
    coverage: list[Row]
    """rpt_coverage: one row, how many municipalities the quarter's figures cover and which sent nothing."""
    data_cut: list[Row]
    """rpt_data_cut: one row, the latest declaration date the report's figures include."""
    comparisons: list[Row]
    """rpt_comparisons: per KPI of the municipality grid, the region's value and the national (CBS) figure."""
    cbs_sources: list[Row]
    """rpt_cbs_sources: the CBS source line of each KPI figure built on CBS data (role nl or population)."""
    run_id: str | None = None
    """The Dagster run that wrote the report (the asset's, or a quarterly close's), stated on the page."""
    provider_agb: str | None = None
    """The provider of a provider edition (rpt_provider_editions); None in the region's edition."""
    provider_kpis: list[Row] = field(default_factory=list)
    """rpt_provider_kpi_rows: a provider edition's own KPI rows (also at the end of its kpi_rows)."""
    close_data_cut: str | None = None
    """A quarterly close's data cut, 'YYYY-MM-DD' (orchestration/closes): the latest delivery date it includes."""

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


def provider_editions(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str]]:
    """(region_code, quarter, provider_agb) of every provider edition to write (rpt_provider_editions)."""
    editions = _by_region(con, EDITIONS.query("true"), [])
    return [
        (region_code, row["quarter"], row["provider_agb"]) for region_code, rows in editions.items() for row in rows
    ]


def load_quarter_data(
    con: duckdb.DuckDBPyConnection, quarter: str, region_codes: list[str], run_id: str | None = None
) -> list[ReportData]:
    """What the reports of the regions show for one quarter, in the order of region_codes, as written by run_id.

    Each model is read once for every region of the quarter (per-region queries would scan it once per report)."""
    data = _quarter_datasets(con, quarter, DATASETS)
    return [_report_data(data, region_code, quarter, run_id=run_id) for region_code in region_codes]


def load_provider_editions(
    con: duckdb.DuckDBPyConnection, quarter: str, editions: list[tuple[str, str]], run_id: str | None = None
) -> list[ReportData]:
    """What the provider editions (region_code, provider_agb) of one quarter show, in that order: the region's
    datasets as rpt_provider_* serve them to providers, and of the provider datasets only the rows whose provider_agb
    is the edition's provider."""
    data = _quarter_datasets(con, quarter, EDITION_DATASETS)
    reports = []
    for region_code, provider_agb in editions:
        own = {
            name: _by_region(con, dataset.query("quarter = ? and provider_agb = ?"), [quarter, provider_agb])
            for name, dataset in PROVIDER_DATASETS.items()
        }
        own_rows = {name: rows[region_code] for name, rows in own.items()}
        reports.append(_report_data(data, region_code, quarter, provider_agb, own_rows, run_id))
    return reports


def _quarter_datasets(
    con: duckdb.DuckDBPyConnection, quarter: str, datasets: dict[str, Dataset]
) -> dict[str, defaultdict[str, list[Row]]]:
    data = {name: _by_region(con, dataset.query("quarter = ?"), [quarter]) for name, dataset in datasets.items()}
    data["regions"] = _by_region(con, PERIODS.query("quarter = ?"), [quarter])
    data["municipalities"] = _by_region(con, MUNICIPALITIES.query("true"), [])
    for rows in data["signals"].values():
        for row in rows:
            row["trend_series"] = [
                None if value is None else float(value) for value in json.loads(row["trend_values"] or "[]")
            ]
    return data


def _report_data(
    data: dict[str, defaultdict[str, list[Row]]],
    region_code: str,
    quarter: str,
    provider_agb: str | None = None,
    own: dict[str, list[Row]] | None = None,
    run_id: str | None = None,
) -> ReportData:
    """One report from a quarter's datasets; `own` (a provider edition's rows) replaces the region's provider
    datasets, its provider-scope KPI rows follow the region's, and its definitions sheet covers both."""
    rows = {name: data[name][region_code] for name in DATASETS if name in data and name != "budget_as_of"}
    if own is not None:
        rows.update(
            provider_revenue=own["provider_revenue"],
            agenda=own["agenda"],
            kpi_rows=rows["kpi_rows"] + own["provider_kpi_rows"],
            kpi_definitions=own["provider_kpi_definitions"],
            provider_kpis=own["provider_kpi_rows"],
        )
    return ReportData(
        region_code=region_code,
        region_name=next((row["region_name"] for row in data["regions"][region_code]), region_code),
        quarter=quarter,
        municipalities=data["municipalities"][region_code],
        **rows,
        budget_as_of=[row["as_of_period"] for row in data["budget_as_of"][region_code]],
        provider_agb=provider_agb,
        run_id=run_id,
    )

"""Read what the regions' quarterly reports show from the marts, through a read-only DuckDB connection.

A mart may be empty for a region and quarter (a landing directory without budgets has no budget forecast, the first
year of traffic has no cost variance against a year earlier): the reader then returns an empty list and the report
says "geen gegevens" for that section, it never fails on it.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import duckdb

from orchestration.report.labels import STATUS_ORDER, parse_quarter

Row = dict[str, Any]


@dataclass(frozen=True)
class ReportData:
    region_code: str
    region_name: str
    quarter: str
    municipalities: list[Row]
    """municipality_code, municipality_name of the region's municipalities."""
    signals: list[Row]
    """steering_signals of the region and its municipalities in the quarter, most urgent first, with the KPI's unit."""
    other_kpis: list[Row]
    """kpi_values of the region scope in the quarter for KPIs without a signal (no target in the catalogue)."""
    kpi_rows: list[Row]
    """Every kpi_values row of the region and its municipalities in the quarter, with its signal: the workbook."""
    cost_variance: list[Row]
    """cost_variance of the region with the quarter as period_to: the region total first, then per care form."""
    budget_forecast: list[Row]
    """budget_forecast of the region for the quarter's year, as of the quarter."""
    budget_as_of: list[str]
    """as_of_period of the region's budget_forecast rows for the quarter's year (named when none is this quarter)."""
    provider_revenue: list[Row]
    """provider_revenue_forecast for the quarter's year, as of the quarter: providers that declared in the region."""
    agenda: list[Row]
    referrals: list[Row]

    @property
    def region_signals(self) -> list[Row]:
        return [row for row in self.signals if row["scope_type"] == "region"]

    @property
    def municipality_signals(self) -> list[Row]:
        return [row for row in self.signals if row["scope_type"] == "municipality"]


def _by_region(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any]) -> defaultdict[str, list[Row]]:
    """The rows of a query whose first column is the region they belong to, per region and without that column, in
    the query's order."""
    cursor = con.execute(sql, params)
    columns = [description[0] for description in cursor.description][1:]
    grouped: defaultdict[str, list[Row]] = defaultdict(list)
    for region_code, *row in cursor.fetchall():
        grouped[region_code].append(dict(zip(columns, row, strict=True)))
    return grouped


REPORTED_QUARTERS = 4
"""The latest four quarters with data: every quarter of the latest year, and at the start of a year the quarters of
the year before that the trend lines span, so a late declaration reaches each report that shows its quarter."""


def report_periods(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """(region_code, quarter) for every region with KPI values in one of the latest four quarters with data."""
    rows = con.execute(
        """
        with quarters as (
            select distinct scope_code as region_code, period
            from marts.kpi_values
            where scope_type = 'region' and period_type = 'quarter'
        ),

        latest as (
            select distinct period from quarters order by period desc limit ?
        )

        select region_code, period
        from quarters
        where period in (select period from latest)
        order by region_code, period
        """,
        [REPORTED_QUARTERS],
    ).fetchall()
    return [(region, quarter) for region, quarter in rows]


def load_quarter_data(con: duckdb.DuckDBPyConnection, quarter: str, region_codes: list[str]) -> list[ReportData]:
    """What the reports of the regions show for one quarter, in the order of region_codes.

    Each mart is read once for every region of the quarter (per-region queries would scan the large marts once per
    report); each region's rows keep the order the per-region report needs.
    """
    year = parse_quarter(quarter)[0]
    region_names = dict(con.execute("select region_code, region_name from marts.dim_region").fetchall())
    municipalities = _by_region(
        con,
        """
        select region_code, municipality_code, coalesce(municipality_name, municipality_code) as municipality_name
        from marts.dim_municipality order by region_code, municipality_code
        """,
        [],
    )
    signals = _signals(con, quarter)
    other_kpis = _by_region(
        con,
        """
        select v.scope_code as report_region, v.kpi_id, k.name_nl, v.value, v.unit, k.lever, k.policy_goal
        from marts.kpi_values as v
        join marts.dim_kpi as k on k.kpi_id = v.kpi_id
        where v.scope_type = 'region' and v.period_type = 'quarter' and v.period = ?
            and not exists (
                select 1 from marts.steering_signals as s
                where s.kpi_id = v.kpi_id and s.scope_type = 'region' and s.scope_code = v.scope_code
                    and s.period = v.period
            )
        order by v.scope_code, k.policy_goal, k.name_nl, v.kpi_id
        """,
        [quarter],
    )
    kpi_rows = _kpi_rows(con, quarter)
    cost_variance = _by_region(
        con,
        """
        select v.region_code as report_region, v.care_form_code,
               coalesce(cf.care_form_name_nl, v.care_form_code) as care_form_name,
               v.period_from, v.period_to, v.cost_from_cents, v.cost_to_cents, v.change_cents,
               v.volume_effect_cents, v.mix_effect_cents, v.intensity_effect_cents, v.price_effect_cents
        from marts.cost_variance as v
        left join marts.dim_care_form as cf on cf.care_form_code = v.care_form_code
        where v.period_type = 'quarter' and v.period_to = ?
        order by v.region_code, v.care_form_code is not null, abs(v.change_cents) desc, v.care_form_code, v.period_from
        """,
        [quarter],
    )
    budget_forecast = _by_region(
        con,
        """
        select b.region_code as report_region, b.municipality_code,
               coalesce(m.municipality_name, b.municipality_code) as municipality_name,
               b.perceel, b.year, b.as_of_period, b.realised_cents_ytd, b.forecast_year_end_cents,
               b.budget_cents, b.expected_overrun_cents, b.boundary_status,
               b.forecast_error_bound_cents
        from marts.budget_forecast as b
        left join marts.dim_municipality as m on m.municipality_code = b.municipality_code
        where b.as_of_period = ? and b.year = ?
        order by b.region_code, b.municipality_code, b.perceel
        """,
        # As of a year's first quarter the mart also holds the year before (its declarations still come in); the
        # section is the quarter's year.
        [quarter, year],
    )
    budget_as_of = _by_region(
        con,
        """
        select distinct region_code as report_region, as_of_period from marts.budget_forecast
        where year = ? order by 1, 2
        """,
        [year],
    )
    provider_revenue = _by_region(
        con,
        # The providers that declared care for the region's municipalities this year.
        """
        with active as (
            select distinct m.region_code, d.provider_agb
            from marts.fct_declaration_line as d
            join marts.dim_municipality as m on m.municipality_code = d.municipality_code
            where extract(year from d.period_start) = ?
        )
        select a.region_code as report_region, p.provider_agb, p.year, p.as_of_period, p.revenue_cents_ytd,
               p.forecast_year_end_cents, p.cap_cents, p.forecast_share_of_cap, p.early_warning,
               p.forecast_error_bound_cents
        from marts.provider_revenue_forecast as p
        join active as a on a.provider_agb = p.provider_agb
        where p.as_of_period = ? and p.year = ?
        order by a.region_code, p.early_warning desc, p.forecast_share_of_cap desc nulls last, p.provider_agb
        """,
        [year, quarter, year],
    )
    agenda = _by_region(
        con,
        """
        select region_code as report_region, region_code, provider_agb, period, item_rank, item_type, kpi_id,
               scope_type, scope_code, summary_nl, question_nl
        from marts.dialogue_agenda
        where period = ?
        order by region_code, provider_agb nulls first, item_rank
        """,
        [quarter],
    )
    referrals = _by_region(
        con,
        # The referrer KPIs (allocations of the quarter per referrer type of the JW315, docs/kpis.md) of the region
        # and its municipalities, as published: a withheld count stays withheld here.
        """
        select case v.scope_type when 'region' then v.scope_code else m.region_code end as report_region,
               substr(v.kpi_id, 16) as referrer_type_code,
               coalesce(t.referrer_type_name_nl, substr(v.kpi_id, 16)) as referrer_name,
               v.scope_type, v.scope_code, v.numerator as referrals, v.denominator as allocations,
               v.value as share
        from marts.kpi_values as v
        left join marts.dim_municipality as m
            on v.scope_type = 'municipality' and m.municipality_code = v.scope_code
        left join marts.dim_referrer as t on t.referrer_type_code = substr(v.kpi_id, 16)
        where starts_with(v.kpi_id, 'referrer_share_') and v.period_type = 'quarter' and v.period = ?
            and (v.scope_type = 'region' or m.region_code is not null)
        order by report_region, referrer_type_code, v.scope_code
        """,
        [quarter],
    )
    return [
        ReportData(
            region_code=region_code,
            region_name=region_names.get(region_code) or region_code,
            quarter=quarter,
            municipalities=municipalities[region_code],
            signals=signals[region_code],
            other_kpis=other_kpis[region_code],
            kpi_rows=kpi_rows[region_code],
            cost_variance=cost_variance[region_code],
            budget_forecast=budget_forecast[region_code],
            budget_as_of=[row["as_of_period"] for row in budget_as_of[region_code]],
            provider_revenue=provider_revenue[region_code],
            agenda=agenda[region_code],
            referrals=referrals[region_code],
        )
        for region_code in region_codes
    ]


def _signals(con: duckdb.DuckDBPyConnection, quarter: str) -> defaultdict[str, list[Row]]:
    signals = _by_region(
        con,
        """
        select s.region_code as report_region, s.kpi_id, s.name_nl, s.scope_type, s.scope_code, s.region_code,
               s.period, s.value, s.target, s.band_low, s.band_high, s.direction, s.status, s.lever, s.policy_goal,
               s.trend, s.trend_values, s.drivers, s.no_data_reason, k.unit
        from marts.steering_signals as s
        left join marts.dim_kpi as k on k.kpi_id = s.kpi_id
        where s.period = ?
        """,
        [quarter],
    )
    for rows in signals.values():
        for row in rows:
            row["trend_series"] = [
                None if value is None else float(value) for value in json.loads(row["trend_values"] or "[]")
            ]
        rows.sort(
            key=lambda row: (
                STATUS_ORDER.get(row["status"], 9),
                row["scope_type"] != "region",
                row["scope_code"],
                row["kpi_id"],
            )
        )
    return signals


def _kpi_rows(con: duckdb.DuckDBPyConnection, quarter: str) -> defaultdict[str, list[Row]]:
    return _by_region(
        con,
        """
        with scopes as (
            select region_code, 'region' as scope_type, region_code as scope_code, region_name as scope_name,
                   0 as scope_order
            from marts.dim_region
            union all
            select region_code, 'municipality', municipality_code, municipality_name, 1
            from marts.dim_municipality
        )
        select sc.region_code as report_region, v.kpi_id, k.name_nl, v.scope_type, v.scope_code,
               coalesce(sc.scope_name, v.scope_code) as scope_name, v.period, v.value, v.numerator, v.denominator,
               v.unit, s.target, s.band_low, s.band_high, s.status, s.trend, k.lever, k.policy_goal
        from marts.kpi_values as v
        join scopes as sc on sc.scope_type = v.scope_type and sc.scope_code = v.scope_code
        join marts.dim_kpi as k on k.kpi_id = v.kpi_id
        left join marts.steering_signals as s
            on s.kpi_id = v.kpi_id and s.scope_type = v.scope_type and s.scope_code = v.scope_code
                and s.period = v.period
        where v.period_type = 'quarter' and v.period = ?
        order by sc.region_code, sc.scope_order, v.scope_code, v.kpi_id
        """,
        [quarter],
    )

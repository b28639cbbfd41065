"""Read what one region's quarterly report shows from the marts, through a read-only DuckDB connection.

A mart may be empty for a region and quarter (a landing directory without budgets has no budget forecast, the first
year of traffic has no cost variance against a year earlier): the reader then returns an empty list and the report
says "geen gegevens" for that section, it never fails on it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import duckdb

from orchestration.report.labels import STATUS_ORDER, parse_quarter, quarter_bounds

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
    """budget_forecast of the region as of the quarter."""
    budget_as_of: list[str]
    """as_of_period of the region's budget_forecast rows for the quarter's year (named when none is this quarter)."""
    provider_revenue: list[Row]
    agenda: list[Row]
    referrals: list[Row]

    @property
    def region_signals(self) -> list[Row]:
        return [row for row in self.signals if row["scope_type"] == "region"]

    @property
    def municipality_signals(self) -> list[Row]:
        return [row for row in self.signals if row["scope_type"] == "municipality"]


def _dicts(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any]) -> list[Row]:
    cursor = con.execute(sql, params)
    columns = [description[0] for description in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


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


def load_report_data(con: duckdb.DuckDBPyConnection, region_code: str, quarter: str) -> ReportData:
    year = parse_quarter(quarter)[0]
    found = con.execute("select region_name from marts.dim_region where region_code = ?", [region_code]).fetchone()
    return ReportData(
        region_code=region_code,
        region_name=(found and found[0]) or region_code,
        quarter=quarter,
        municipalities=_dicts(
            con,
            """
            select municipality_code, coalesce(municipality_name, municipality_code) as municipality_name
            from marts.dim_municipality where region_code = ? order by municipality_code
            """,
            [region_code],
        ),
        signals=_signals(con, region_code, quarter),
        other_kpis=_dicts(
            con,
            """
            select v.kpi_id, k.name_nl, v.value, v.unit, k.lever, k.policy_goal
            from marts.kpi_values as v
            join marts.dim_kpi as k on k.kpi_id = v.kpi_id
            where v.scope_type = 'region' and v.scope_code = ? and v.period_type = 'quarter' and v.period = ?
                and not exists (
                    select 1 from marts.steering_signals as s
                    where s.kpi_id = v.kpi_id and s.scope_type = 'region' and s.scope_code = v.scope_code
                        and s.period = v.period
                )
            order by k.policy_goal, k.name_nl
            """,
            [region_code, quarter],
        ),
        kpi_rows=_kpi_rows(con, region_code, quarter),
        cost_variance=_dicts(
            con,
            """
            select v.care_form_code, coalesce(cf.care_form_name_nl, v.care_form_code) as care_form_name,
                   v.period_from, v.period_to, v.cost_from_cents, v.cost_to_cents, v.change_cents,
                   v.volume_effect_cents, v.mix_effect_cents, v.intensity_effect_cents, v.price_effect_cents
            from marts.cost_variance as v
            left join marts.dim_care_form as cf on cf.care_form_code = v.care_form_code
            where v.region_code = ? and v.period_type = 'quarter' and v.period_to = ?
            order by v.care_form_code is not null, abs(v.change_cents) desc, v.care_form_code
            """,
            [region_code, quarter],
        ),
        budget_forecast=_dicts(
            con,
            """
            select b.municipality_code, coalesce(m.municipality_name, b.municipality_code) as municipality_name,
                   b.perceel, b.year, b.as_of_period, b.realised_cents_ytd, b.forecast_year_end_cents,
                   b.budget_cents, b.expected_overrun_cents, b.boundary_status,
                   b.forecast_error_bound_cents
            from marts.budget_forecast as b
            left join marts.dim_municipality as m on m.municipality_code = b.municipality_code
            where b.region_code = ? and b.as_of_period = ?
            order by b.municipality_code, b.perceel
            """,
            [region_code, quarter],
        ),
        budget_as_of=[
            period
            for (period,) in con.execute(
                "select distinct as_of_period from marts.budget_forecast where region_code = ? and year = ? order by 1",
                [region_code, year],
            ).fetchall()
        ],
        provider_revenue=_dicts(
            con,
            # The providers that declared care for the region's municipalities this year.
            """
            with active as (
                select distinct d.provider_agb
                from marts.fct_declaration_line as d
                join marts.dim_municipality as m on m.municipality_code = d.municipality_code
                where m.region_code = ? and extract(year from d.period_start) = ?
            )
            select p.provider_agb, p.year, p.as_of_period, p.revenue_cents_ytd, p.forecast_year_end_cents,
                   p.cap_cents, p.forecast_share_of_cap, p.early_warning,
                   p.forecast_error_bound_cents
            from marts.provider_revenue_forecast as p
            join active as a on a.provider_agb = p.provider_agb
            where p.as_of_period = ?
            order by p.early_warning desc, p.forecast_share_of_cap desc nulls last, p.provider_agb
            """,
            [region_code, year, quarter],
        ),
        agenda=_dicts(
            con,
            """
            select region_code, provider_agb, period, item_rank, item_type, kpi_id, scope_type, scope_code,
                   summary_nl, question_nl
            from marts.dialogue_agenda
            where region_code = ? and period = ?
            order by provider_agb nulls first, item_rank
            """,
            [region_code, quarter],
        ),
        referrals=_dicts(
            con,
            # Allocations (JW301) of the quarter by allocation date, per referrer type and municipality.
            """
            select r.referrer_type_code, coalesce(t.referrer_type_name_nl, r.referrer_type_code) as referrer_name,
                   r.municipality_code, count(*) as referrals
            from marts.fct_referral as r
            join marts.dim_municipality as m on m.municipality_code = r.municipality_code
            left join marts.dim_referrer as t on t.referrer_type_code = r.referrer_type_code
            where m.region_code = ? and r.allocated_on between ? and ?
            group by r.referrer_type_code, t.referrer_type_name_nl, r.municipality_code
            order by r.referrer_type_code, r.municipality_code
            """,
            [region_code, *quarter_bounds(quarter)],
        ),
    )


def _signals(con: duckdb.DuckDBPyConnection, region_code: str, quarter: str) -> list[Row]:
    rows = _dicts(
        con,
        """
        select s.kpi_id, s.name_nl, s.scope_type, s.scope_code, s.region_code, s.period, s.value, s.target,
               s.band_low, s.band_high, s.direction, s.status, s.lever, s.policy_goal, s.trend, s.trend_values,
               s.drivers, k.unit
        from marts.steering_signals as s
        left join marts.dim_kpi as k on k.kpi_id = s.kpi_id
        where s.region_code = ? and s.period = ?
        """,
        [region_code, quarter],
    )
    for row in rows:
        row["trend_series"] = [
            None if value is None else float(value) for value in json.loads(row["trend_values"] or "[]")
        ]
    return sorted(
        rows,
        key=lambda row: (
            STATUS_ORDER.get(row["status"], 9),
            row["scope_type"] != "region",
            row["scope_code"],
            row["kpi_id"],
        ),
    )


def _kpi_rows(con: duckdb.DuckDBPyConnection, region_code: str, quarter: str) -> list[Row]:
    return _dicts(
        con,
        """
        with scopes as (
            select 'region' as scope_type, region_code as scope_code, region_name as scope_name, 0 as scope_order
            from marts.dim_region where region_code = ?
            union all
            select 'municipality', municipality_code, municipality_name, 1
            from marts.dim_municipality where region_code = ?
        )
        select v.kpi_id, k.name_nl, v.scope_type, v.scope_code, coalesce(sc.scope_name, v.scope_code) as scope_name,
               v.period, v.value, v.numerator, v.denominator, v.unit, s.target, s.band_low, s.band_high, s.status,
               s.trend, k.lever, k.policy_goal
        from marts.kpi_values as v
        join scopes as sc on sc.scope_type = v.scope_type and sc.scope_code = v.scope_code
        join marts.dim_kpi as k on k.kpi_id = v.kpi_id
        left join marts.steering_signals as s
            on s.kpi_id = v.kpi_id and s.scope_type = v.scope_type and s.scope_code = v.scope_code
                and s.period = v.period
        where v.period_type = 'quarter' and v.period = ?
        order by sc.scope_order, v.scope_code, v.kpi_id
        """,
        [region_code, region_code, quarter],
    )

"""Render one region's quarterly report as a single self-contained HTML file.

Everything the page needs is inside it: CSS inline, charts as inline SVG, no script, and a Content-Security-Policy
that forbids every fetch, so the file opens offline and a browser makes no request for it. Every text from the
warehouse is escaped (jinja2 autoescape); only the charts' SVG (orchestration/report/charts.py), which escapes its own
text, is inserted as markup.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from orchestration.formats import date_nl, euros_nl, kpi_value_nl, number_nl, percent_nl
from orchestration.report import charts
from orchestration.report.data import ReportData, Row
from orchestration.report.labels import (
    AGENDA_TYPE_NL,
    BOUNDARY_NL,
    LEVER_NL,
    NO_DATA_REASON_NL,
    SCOPE_NL,
    STATUS_NL,
    TREND_ARROW,
    TREND_NL,
    quarter_nl,
    quarters_ending,
)

TEMPLATES = Path(__file__).parent / "templates"
_environment = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)
_environment.filters.update(
    date_nl=date_nl,
    euros=euros_nl,
    signed_euros=lambda cents: euros_nl(cents, signed=True),
    kpi_value=lambda value, unit: kpi_value_nl(value, unit),
    number=number_nl,
    percent=percent_nl,
    signed_percent=lambda fraction: percent_nl(fraction, signed=True),
    status_nl=lambda status: STATUS_NL.get(status, "geen gegevens"),
    no_data_reason_nl=lambda reason: NO_DATA_REASON_NL.get(reason, ""),
    trend_nl=lambda trend: TREND_NL.get(trend, ""),
    trend_arrow=lambda trend: TREND_ARROW.get(trend, ""),
    lever_nl=lambda lever: LEVER_NL.get(lever, lever or ""),
    scope_nl=lambda scope: SCOPE_NL.get(scope, scope),
    boundary_nl=lambda status: BOUNDARY_NL.get(status, status),
    agenda_type_nl=lambda item_type: AGENDA_TYPE_NL.get(item_type, item_type),
)
TREND_CHART_LIMIT = 12
"""More small multiples than this stop being readable; the urgent signals come first, the rest stay in the table."""


def render_report_html(data: ReportData) -> str:
    municipality_names = {row["municipality_code"]: row["municipality_name"] for row in data.municipalities}
    return _environment.get_template("report.html.j2").render(
        data=data,
        quarter_label=quarter_nl(data.quarter),
        status_counts=[(row["status"], row["signal_count"]) for row in data.signal_counts],
        matrix=_municipality_matrix(data, municipality_names),
        trend_svg=_trend_svg(data),
        agenda=_agenda_groups(data.agenda),
        budget=_budget(data),
        variance=_variance(data),
        referrals=_referrals(data, municipality_names),
        coverage=data.coverage[0] if data.coverage else None,
        cut=data.data_cut[0] if data.data_cut else {"data_cut_date": None},
        lookback_incomplete=any(row["lookback_complete"] is False for row in (*data.signals, *data.other_kpis)),
        region_cbs_sources=_cbs_sources(data, {row["kpi_id"] for row in data.region_signals}, {"population"}),
        other_cbs_sources=_cbs_sources(data, {row["kpi_id"] for row in data.other_kpis}, {"population"}),
    )


def _cbs_sources(data: ReportData, kpi_ids: set[str], roles: set[str]) -> list[tuple[str, str]]:
    """(table_id, source_line) of the CBS tables behind the figures of kpi_ids a section shows, once each, by line."""
    return sorted(
        {
            (row["table_id"], row["source_line"])
            for row in data.cbs_sources
            if row["kpi_id"] in kpi_ids and row["role"] in roles
        },
        key=lambda source: source[1],
    )


def _municipality_matrix(data: ReportData, names: dict[str, str]) -> dict[str, Any]:
    """KPI x municipality: every municipality signal of the region in one grid, in rpt_signals' matrix_order (the KPI
    with most reds first), the municipalities by code, each value with its size class's (rpt_kpi_rows)."""
    signals = data.municipality_signals
    codes = sorted({row["scope_code"] for row in signals})
    cells: dict[str, dict[str, Row]] = defaultdict(dict)
    kpi_names: dict[str, str] = {}
    for row in sorted(signals, key=lambda row: row["matrix_order"]):
        cells[row["kpi_id"]][row["scope_code"]] = row
        kpi_names[row["kpi_id"]] = row["name_nl"]
    kpis = list(cells)
    comparisons = {row["kpi_id"]: row for row in data.comparisons}
    municipality_rows = [row for row in data.kpi_rows if row["scope_type"] == "municipality"]
    size_classes = {row["scope_code"]: row["size_class_name"] for row in municipality_rows}
    return {
        "columns": [(code, names.get(code, code), size_classes.get(code)) for code in codes],
        "rows": [(kpi_id, kpi_names[kpi_id], cells[kpi_id], comparisons.get(kpi_id, {})) for kpi_id in kpis],
        "size_class_values": {(row["kpi_id"], row["scope_code"]): row for row in municipality_rows},
        "cbs_sources": _cbs_sources(data, set(kpis), {"nl", "population"}),
    }


def _value_format(unit: str | None) -> str:
    if unit == "percent":
        return "percent"
    if unit and unit.startswith("EUR"):
        return "euro"
    return "number"


def _trend_svg(data: ReportData) -> Markup | None:
    labels = quarters_ending(data.quarter, 4)
    series = [
        charts.TrendSeries(
            title=row["name_nl"],
            labels=labels,
            values=(row["trend_series"] + [None] * 4)[:4],
            target=row["target"],
            band_low=row["band_low"],
            band_high=row["band_high"],
            status=row["status"],
            value_format=_value_format(row["unit"]),
        )
        for row in data.region_signals
        if any(value is not None for value in row["trend_series"])
    ][:TREND_CHART_LIMIT]
    if not series:
        return None
    return Markup(charts.trend_chart(series))  # noqa: S704 - charts escape their text


def _agenda_groups(agenda: list[Row]) -> list[tuple[str | None, str | None, list[Row]]]:
    """(provider_agb, provider_name, items): the region's own agenda first, then one per provider (rpt_agenda's
    order)."""
    groups: dict[tuple[str | None, str | None], list[Row]] = defaultdict(list)
    for row in agenda:
        groups[row["provider_agb"], row["provider_name"]].append(row)
    return [(agb, name, items) for (agb, name), items in groups.items()]


def _budget(data: ReportData) -> dict[str, Any]:
    rows = data.budget_forecast
    chart = None
    if rows:
        chart = Markup(  # noqa: S704 - charts escape their text
            charts.budget_chart(
                [
                    (
                        f"{row['municipality_name']} · {row['perceel']}",
                        row["realised_cents_ytd"],
                        row["forecast_year_end_cents"],
                        row["budget_cents"],
                    )
                    for row in rows
                ]
            )
        )
    totals = data.budget_totals[0] if data.budget_totals else None
    return {
        "rows": rows,
        "chart": chart,
        "totals": totals,
        "breaches": totals["breaches"] if totals else 0,
        "other_as_of": [period for period in data.budget_as_of if period != data.quarter],
        "providers": data.provider_revenue,
    }


VARIANCE_EFFECTS = [
    ("volume_effect_cents", "Volume"),
    ("mix_effect_cents", "Mix"),
    ("intensity_effect_cents", "Intensiteit"),
    ("price_effect_cents", "Prijs"),
]


def _variance(data: ReportData) -> dict[str, Any]:
    total = next((row for row in data.cost_variance if row["is_region_total"]), None)
    chart = None
    if total is not None:
        chart = Markup(  # noqa: S704 - charts escape their text
            charts.waterfall_chart(
                f"Kosten {total['period_from']}",
                total["cost_from_cents"],
                [(label, total[column]) for column, label in VARIANCE_EFFECTS],
                f"Kosten {total['period_to']}",
                total["cost_to_cents"],
            )
        )
    return {
        "total": total,
        "growth": None if total is None else total["change_share"],
        "chart": chart,
        "effects": VARIANCE_EFFECTS,
        "care_forms": [row for row in data.cost_variance if not row["is_region_total"]],
    }


def _referrals(data: ReportData, names: dict[str, str]) -> dict[str, Any]:
    """Referrer x municipality counts with the region's count and share per referrer, the referrer with most
    referrals first (rpt_referrals' order); None where publication withholds a count (it is shown as a dash, never
    recomputed from the other cells)."""
    by_referrer: dict[tuple[str, str], dict[str, float | None]] = defaultdict(dict)
    region: dict[tuple[str, str], Row] = {}
    for row in data.referrals:
        referrer = (row["referrer_type_code"], row["referrer_name"])
        if row["scope_type"] == "region":
            region[referrer] = row
        else:
            by_referrer[referrer][row["scope_code"]] = row["referrals"]
    referrers = list(dict.fromkeys((row["referrer_type_code"], row["referrer_name"]) for row in data.referrals))
    municipalities = sorted({row["scope_code"] for row in data.referrals if row["scope_type"] == "municipality"})
    allocations = next((row["allocations"] for row in region.values() if row["allocations"] is not None), None)
    shown = [
        (referrer[1], float(region[referrer]["referrals"]))
        for referrer in referrers
        if referrer in region and region[referrer]["referrals"]
    ]
    chart = None
    if shown:
        chart = Markup(  # noqa: S704 - charts escape their text
            charts.bar_chart(shown, "Verwijzingen per verwijzer")
        )
    return {
        "columns": [(code, names.get(code, code)) for code in municipalities],
        "rows": [
            (
                referrer,
                by_referrer[referrer],
                region.get(referrer, {}).get("referrals"),
                region.get(referrer, {}).get("share"),
            )
            for referrer in referrers
        ],
        "total": allocations,
        "chart": chart,
    }

"""The report's charts as inline SVG, drawn with matplotlib's SVG backend.

Output is reproducible: a fixed hash salt per chart (matplotlib derives clip-path ids from it) and no creation date.
Every id in a chart gets the chart's name as prefix, because matplotlib numbers its groups (figure_1, axes_1) per
figure and a page holds several. Text stays text (svg.fonttype none) so the page is small and searchable, and
mathtext is off (a `$` in a KPI or municipality name is printed, not typeset).
"""

from __future__ import annotations

import io
import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure  # noqa: E402 - the backend is chosen before anything draws
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402

from orchestration.report.labels import number_nl  # noqa: E402

STATUS_COLOURS = {"green": "#2e7d32", "amber": "#ef8f00", "red": "#c62828", "no_data": "#9e9e9e"}
INK, MUTED, GRID = "#263238", "#78909c", "#e0e6ea"
INCREASE, DECREASE, TOTAL = "#c62828", "#2e7d32", "#546e7a"
FORECAST, REALISED = "#90caf9", "#1565c0"

_RC = {
    "svg.fonttype": "none",
    "text.parse_math": False,
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
    "font.size": 9,
    "axes.edgecolor": GRID,
    "axes.labelcolor": INK,
    "axes.titlesize": 9,
    "axes.titlecolor": INK,
    "xtick.color": MUTED,
    "ytick.color": INK,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


@dataclass(frozen=True)
class TrendSeries:
    title: str
    labels: list[str]
    values: list[float | None]
    target: float | None
    band_low: float | None
    band_high: float | None
    status: str
    value_format: str
    """'percent', 'euro' or 'number': how the y axis reads."""


def _svg(fig: Figure, salt: str) -> str:
    with matplotlib.rc_context({**_RC, "svg.hashsalt": salt}):
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r'\bid="([^"]+)"', rf'id="{salt}-\1"', svg)
    return re.sub(r'(url\(#|href="#)([^")]+)', rf"\1{salt}-\2", svg)


def _figure(width: float, height: float) -> Figure:
    with matplotlib.rc_context(_RC):
        return Figure(figsize=(width, height), layout="constrained")


def _axis_format(value_format: str) -> FuncFormatter:
    if value_format == "percent":
        return FuncFormatter(lambda value, _: f"{number_nl(value, 1)}%")
    if value_format == "euro":
        return FuncFormatter(lambda value, _: _compact_euros(value))
    return FuncFormatter(lambda value, _: number_nl(value, 0 if float(value).is_integer() else 1))


def _compact_euros(euros: float) -> str:
    magnitude = abs(euros)
    if magnitude >= 1_000_000:
        return f"€ {number_nl(euros / 1_000_000, 1)} mln"
    if magnitude >= 10_000:
        return f"€ {number_nl(euros / 1_000)}k"
    return f"€ {number_nl(euros)}"


def trend_chart(series: Sequence[TrendSeries], salt: str, columns: int = 4) -> str:
    """Small multiples: each KPI's last four quarters against its target (dashed) and tolerance band (shaded)."""
    rows = -(-len(series) // columns)
    with matplotlib.rc_context(_RC):
        # Fixed spacing, not constrained layout: laying out a dozen axes that way costs seconds per report.
        fig = Figure(figsize=(2.6 * columns, 2.2 * rows))
        axes = fig.subplots(
            rows,
            columns,
            squeeze=False,
            gridspec_kw={
                "left": 0.07,
                "right": 0.99,
                "top": 1 - 0.42 / (2.2 * rows),
                "bottom": 0.3 / (2.2 * rows),
                "wspace": 0.5,
                "hspace": 0.75,
            },
        ).ravel()
        for ax, trend in zip(axes, series, strict=False):
            colour = STATUS_COLOURS.get(trend.status, MUTED)
            positions = [i for i, value in enumerate(trend.values) if value is not None]
            ax.plot(
                positions,
                [trend.values[i] for i in positions],
                color=colour,
                marker="o",
                markersize=4,
                linewidth=2,
            )
            if trend.band_low is not None and trend.band_high is not None:
                ax.axhspan(trend.band_low, trend.band_high, color=GRID, alpha=0.6, linewidth=0)
            if trend.target is not None:
                ax.axhline(trend.target, color=INK, linewidth=1, linestyle="--")
            ax.set_xticks(range(len(trend.labels)), trend.labels)
            ax.set_xlim(-0.3, len(trend.labels) - 0.7)
            ax.yaxis.set_major_formatter(_axis_format(trend.value_format))
            if trend.value_format == "number":
                ax.yaxis.set_major_locator(MaxNLocator(integer=True))
            ax.tick_params(labelsize=7)
            ax.grid(axis="y", color=GRID, linewidth=0.6)
            ax.set_title("\n".join(textwrap.wrap(trend.title, 30)[:2]), loc="left", color=INK)
        for ax in axes[len(series) :]:
            ax.set_visible(False)
    return _svg(fig, salt)


def waterfall_chart(
    start_label: str,
    start_cents: int,
    steps: Sequence[tuple[str, int]],
    end_label: str,
    end_cents: int,
    salt: str,
) -> str:
    """Cost from a year earlier, each effect as a floating bar (red adds cost, green saves), cost now."""
    labels = [start_label, *(label for label, _ in steps), end_label]
    bottoms, heights, colours = [0.0], [start_cents / 100], [TOTAL]
    running = start_cents
    for _, cents in steps:
        bottoms.append(min(running, running + cents) / 100)
        heights.append(abs(cents) / 100)
        colours.append(INCREASE if cents > 0 else DECREASE)
        running += cents
    bottoms.append(0.0)
    heights.append(end_cents / 100)
    colours.append(TOTAL)
    with matplotlib.rc_context(_RC):
        fig = _figure(7.5, 3.2)
        ax = fig.subplots()
        ax.bar(range(len(labels)), heights, bottom=bottoms, color=colours, width=0.62)
        for index, (_, cents) in enumerate(steps, start=1):
            top = bottoms[index] + heights[index]
            ax.annotate(
                ("+" if cents > 0 else "−") + _compact_euros(abs(cents) / 100),
                (index, top),
                textcoords="offset points",
                xytext=(0, 3),
                ha="center",
                fontsize=8,
                color=INK,
            )
        for index in (0, len(labels) - 1):
            ax.annotate(
                _compact_euros(heights[index]),
                (index, heights[index]),
                textcoords="offset points",
                xytext=(0, 3),
                ha="center",
                fontsize=8,
                color=INK,
            )
        ax.set_xticks(range(len(labels)), labels)
        ax.yaxis.set_major_formatter(_axis_format("euro"))
        ax.grid(axis="y", color=GRID, linewidth=0.6)
        ax.set_axisbelow(True)
        ax.margins(y=0.15)
    return _svg(fig, salt)


def budget_chart(rows: Sequence[tuple[str, int | None, int | None, int | None]], salt: str) -> str:
    """Per gemeente and perceel: realised so far (dark), forecast for the year (light), budget (black mark)."""
    labels = [label for label, *_ in rows]
    with matplotlib.rc_context(_RC):
        fig = _figure(7.5, 0.9 + 0.38 * len(rows))
        ax = fig.subplots()
        positions = range(len(rows))
        ax.barh(positions, [(forecast or 0) / 100 for _, _, forecast, _ in rows], color=FORECAST, height=0.6)
        ax.barh(positions, [(realised or 0) / 100 for _, realised, _, _ in rows], color=REALISED, height=0.6)
        budgeted = [(index, budget) for index, (_, _, _, budget) in enumerate(rows) if budget is not None]
        ax.scatter(
            [budget / 100 for _, budget in budgeted],
            [index for index, _ in budgeted],
            marker="|",
            s=260,
            linewidths=2.5,
            color=INK,
            zorder=3,
        )
        ax.set_yticks(list(positions), labels)
        ax.invert_yaxis()
        ax.xaxis.set_major_formatter(_axis_format("euro"))
        ax.grid(axis="x", color=GRID, linewidth=0.6)
        ax.set_axisbelow(True)
    return _svg(fig, salt)


def bar_chart(rows: Sequence[tuple[str, float]], salt: str, value_format: str = "number") -> str:
    """Horizontal bars, largest first as given, each with its value."""
    with matplotlib.rc_context(_RC):
        fig = _figure(7.5, 0.8 + 0.36 * len(rows))
        ax = fig.subplots()
        positions = range(len(rows))
        values = [value for _, value in rows]
        ax.barh(positions, values, color=REALISED, height=0.6)
        formatter = _axis_format(value_format)
        for position, value in zip(positions, values, strict=True):
            ax.annotate(
                formatter(value, None), (value, position), textcoords="offset points", xytext=(4, 0), va="center"
            )
        ax.set_yticks(list(positions), [label for label, _ in rows])
        ax.invert_yaxis()
        ax.xaxis.set_major_formatter(formatter)
        if value_format == "number":
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(axis="x", color=GRID, linewidth=0.6)
        ax.set_axisbelow(True)
        ax.margins(x=0.12)
    return _svg(fig, salt)

"""The report's charts as inline SVG, written directly.

The charts are simple (lines, bars, a few labels). Drawn with matplotlib's SVG backend, a report's twelve trend
panels took 0.58-0.62 s, two thirds of the report's work; written here they take 2.6 ms.

Text stays text (small, searchable) and is escaped; the output is a function of the data only, so the same marts
give the same page byte for byte. The charts define no ids, so any number of them share a page. Label widths are
estimated from an average character width: there are no font metrics to measure with, and a label that runs long
only runs into the margin.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

from orchestration.formats import kpi_value_nl, money_nl, number_nl, percent_nl

STATUS_COLOURS = {"green": "#2e7d32", "amber": "#ef8f00", "red": "#c62828", "no_data": "#9e9e9e"}
INK, MUTED, GRID = "#263238", "#78909c", "#e0e6ea"
INCREASE, DECREASE, TOTAL = "#c62828", "#2e7d32", "#546e7a"
FORECAST, REALISED = "#90caf9", "#1565c0"
FONT = "DejaVu Sans, Verdana, Arial, sans-serif"
LABEL_SIZE, TICK_SIZE = 12, 10
CHAR_WIDTH = 0.6
"""Average width of a character, in ems, of the sans-serif fonts above (digits and lower case)."""


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


def text_width(text: str, size: float) -> float:
    return len(text) * size * CHAR_WIDTH


class Canvas:
    """SVG elements in drawing order (later ones on top), in pixels from the top left."""

    def __init__(self, width: float, height: float, label: str) -> None:
        self.width, self.height, self.label = width, height, label
        self._elements: list[str] = []

    def rect(self, x: float, y: float, width: float, height: float, fill: str, opacity: float | None = None) -> None:
        """A rectangle from corner x, y spanning width and height, either of which may be negative."""
        x, y, width, height = min(x, x + width), min(y, y + height), abs(width), abs(height)
        faded = f' fill-opacity="{opacity}"' if opacity is not None else ""
        self._elements.append(
            f'<rect x="{_px(x)}" y="{_px(y)}" width="{_px(width)}" height="{_px(height)}" fill="{fill}"{faded}/>'
        )

    def line(
        self, x1: float, y1: float, x2: float, y2: float, stroke: str, width: float = 1, dashed: bool = False
    ) -> None:
        dash = ' stroke-dasharray="5 3"' if dashed else ""
        self._elements.append(
            f'<line x1="{_px(x1)}" y1="{_px(y1)}" x2="{_px(x2)}" y2="{_px(y2)}" stroke="{stroke}" '
            f'stroke-width="{width}"{dash}/>'
        )

    def polyline(self, points: Sequence[tuple[float, float]], stroke: str, width: float) -> None:
        coordinates = " ".join(f"{_px(x)},{_px(y)}" for x, y in points)
        self._elements.append(
            f'<polyline points="{coordinates}" fill="none" stroke="{stroke}" stroke-width="{width}" '
            'stroke-linejoin="round"/>'
        )

    def circle(self, x: float, y: float, radius: float, fill: str) -> None:
        self._elements.append(f'<circle cx="{_px(x)}" cy="{_px(y)}" r="{radius}" fill="{fill}"/>')

    def text(
        self, x: float, y: float, text: str, size: float = TICK_SIZE, anchor: str = "start", fill: str = INK
    ) -> None:
        """Text whose baseline's start, middle or end (anchor) is at x, y."""
        self._elements.append(
            f'<text x="{_px(x)}" y="{_px(y)}" font-size="{size}" text-anchor="{anchor}" fill="{fill}">'
            f"{escape(text, quote=False)}</text>"
        )

    def svg(self) -> str:
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{_px(self.width)}" height="{_px(self.height)}" '
            f'viewBox="0 0 {_px(self.width)} {_px(self.height)}" role="img" aria-label="{escape(self.label)}" '
            f'font-family="{FONT}">' + "".join(self._elements) + "</svg>"
        )


def _px(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


@dataclass(frozen=True)
class Axis:
    """A value axis from `low` to `high`, both multiples of the tick step, drawn from pixel `start` to `end`."""

    low: float
    high: float
    step: float
    start: float
    end: float

    def __call__(self, value: float) -> float:
        return self.start + (value - self.low) / (self.high - self.low) * (self.end - self.start)

    @property
    def ticks(self) -> list[float]:
        count = round((self.high - self.low) / self.step)
        return [self.low + index * self.step for index in range(count + 1)]

    @property
    def decimals(self) -> int:
        """The fewest decimals that write every tick exactly."""
        return next((digits for digits in range(4) if _is_whole(self.step * 10**digits)), 4)


def nice_axis(values: Sequence[float], start: float, end: float, integer: bool = False, intervals: int = 4) -> Axis:
    """An axis over values with at most about `intervals` round steps (1, 2, 2.5 or 5 times a power of ten; whole
    steps only when integer), widened to the nearest steps around the values."""
    low, high = min(values), max(values)
    if high == low:
        spread = abs(high) / 10 or 1
        low, high = low - spread, high + spread
    rough = (high - low) / intervals
    power = 10 ** math.floor(math.log10(rough))
    multiples = (1, 2, 5, 10) if integer else (1, 2, 2.5, 5, 10)
    step = next(multiple * power for multiple in multiples if multiple * power >= rough * (1 - 1e-9))
    if integer:
        step = max(step, 1)
    first = math.floor(low / step + 1e-9) * step
    last = math.ceil(high / step - 1e-9) * step
    return Axis(first, last, step, start, end)


def _is_whole(value: float) -> bool:
    return abs(value - round(value)) < 1e-6


def tick_format(value_format: str, axis: Axis) -> Callable[[float], str]:
    if value_format == "percent":
        return lambda value: percent_nl(value / 100, axis.decimals)
    if value_format == "euro":
        return compact_euros
    return lambda value: number_nl(value, axis.decimals)


def value_text(value: float, value_format: str) -> str:
    """A value as a bar's label writes it: exact, where a tick label is round."""
    if value_format == "euro":
        return compact_euros(value)
    return kpi_value_nl(value, "percent" if value_format == "percent" else None)


def compact_euros(euros: float, signed: bool = False) -> str:
    """A label short enough for an axis or a bar: '€ 1,2 mln', '€ 45k', '€ 900'."""
    magnitude = abs(euros)
    if magnitude >= 1_000_000:
        return money_nl(euros / 1_000_000, 1, signed) + "\xa0mln"
    if magnitude >= 10_000:
        return money_nl(euros / 1_000, 0, signed) + "k"
    return money_nl(euros, 0, signed)


def _value_gridlines(canvas: Canvas, axis: Axis, left: float, right: float, label: Callable[[float], str]) -> None:
    """Horizontal gridlines at a vertical axis's ticks, each labelled on the left."""
    for tick in axis.ticks:
        y = axis(tick)
        canvas.line(left, y, right, y, GRID, 0.8)
        canvas.text(left - 5, y + TICK_SIZE * 0.35, label(tick), anchor="end")


def _category_gridlines(canvas: Canvas, axis: Axis, top: float, bottom: float, label: Callable[[float], str]) -> None:
    """Vertical gridlines at a horizontal axis's ticks, each labelled below."""
    for tick in axis.ticks:
        x = axis(tick)
        canvas.line(x, top, x, bottom, GRID, 0.8)
        canvas.text(x, bottom + TICK_SIZE + 4, label(tick), anchor="middle", fill=MUTED)


TREND_PANEL_WIDTH, TREND_PANEL_HEIGHT = 250, 200


def trend_chart(series: Sequence[TrendSeries], columns: int = 4) -> str:
    """Small multiples: each KPI's last four quarters against its target (dashed) and tolerance band (shaded)."""
    rows = -(-len(series) // columns)
    canvas = Canvas(TREND_PANEL_WIDTH * columns, TREND_PANEL_HEIGHT * rows, "Trends per kengetal")
    for index, trend in enumerate(series):
        row, column = divmod(index, columns)
        _trend_panel(canvas, trend, column * TREND_PANEL_WIDTH, row * TREND_PANEL_HEIGHT)
    return canvas.svg()


def _trend_panel(canvas: Canvas, trend: TrendSeries, x0: float, y0: float) -> None:
    for line_number, title_line in enumerate(textwrap.wrap(trend.title, 30)[:2]):
        canvas.text(x0 + 8, y0 + 16 + line_number * 15, title_line, size=LABEL_SIZE)
    left, right, top, bottom = x0 + 64, x0 + TREND_PANEL_WIDTH - 14, y0 + 46, y0 + TREND_PANEL_HEIGHT - 26
    shown = [(position, value) for position, value in enumerate(trend.values) if value is not None]
    levels = [value for _, value in shown]
    levels += [level for level in (trend.target, trend.band_low, trend.band_high) if level is not None]
    if trend.value_format == "number":
        # A count that stays 0 (zero closed placements) still gets an axis from 0 to 1.
        levels += [0, 1]
    y = nice_axis(levels, bottom, top, integer=trend.value_format == "number")
    # The quarters sit at 0..n-1, with a margin of 0.3 of a quarter on either side.
    slots = len(trend.labels) - 0.4

    def x(position: float) -> float:
        return left + (position + 0.3) / slots * (right - left)

    _value_gridlines(canvas, y, left, right, tick_format(trend.value_format, y))
    if trend.band_low is not None and trend.band_high is not None:
        low, high = sorted((trend.band_low, trend.band_high))
        canvas.rect(left, y(high), right - left, y(low) - y(high), GRID, opacity=0.6)
    if trend.target is not None:
        canvas.line(left, y(trend.target), right, y(trend.target), INK, 1, dashed=True)
    canvas.line(left, top, left, bottom, GRID)
    canvas.line(left, bottom, right, bottom, GRID)
    for position, label in enumerate(trend.labels):
        canvas.text(x(position), bottom + TICK_SIZE + 5, label, anchor="middle", fill=MUTED)
    colour = STATUS_COLOURS.get(trend.status, MUTED)
    points = [(x(position), y(value)) for position, value in shown]
    if len(points) > 1:
        canvas.polyline(points, colour, 2)
    for point in points:
        canvas.circle(*point, 3.5, colour)


def waterfall_chart(
    start_label: str,
    start_cents: int,
    steps: Sequence[tuple[str, int]],
    end_label: str,
    end_cents: int,
) -> str:
    """Cost from a year earlier, each effect as a floating bar (red adds cost, green saves), cost now."""
    bars = [(start_label, 0, start_cents, TOTAL, compact_euros(start_cents / 100))]
    running = start_cents
    for label, cents in steps:
        colour = INCREASE if cents > 0 else DECREASE
        bars.append((label, running, running + cents, colour, compact_euros(cents / 100, signed=True)))
        running += cents
    bars.append((end_label, 0, end_cents, TOTAL, compact_euros(end_cents / 100)))
    width, height = 720, 300
    left, right, top, bottom = 80, width - 10, 24, height - 40
    levels = [cents / 100 for _, begin, end, _, _ in bars for cents in (begin, end)]
    y = nice_axis(levels, bottom, top)
    canvas = Canvas(width, height, "Kostenontwikkeling: volume, mix, intensiteit en prijs")
    _value_gridlines(canvas, y, left, right, compact_euros)
    slot = (right - left) / len(bars)
    for index, (label, begin, end, colour, annotation) in enumerate(bars):
        centre = left + (index + 0.5) * slot
        low, high = sorted((begin / 100, end / 100))
        canvas.rect(centre - 0.31 * slot, y(high), 0.62 * slot, max(y(low) - y(high), 1), colour)
        canvas.text(centre, y(high) - 5, annotation, anchor="middle")
        for line_number, label_line in enumerate(textwrap.wrap(label, 14)[:2]):
            canvas.text(centre, bottom + 16 + line_number * 13, label_line, anchor="middle", fill=MUTED)
        if index + 1 < len(bars):
            # A thin level line carries each bar's end over to where the next one starts.
            canvas.line(centre + 0.31 * slot, y(end / 100), centre + 0.69 * slot, y(end / 100), MUTED, 0.6)
    canvas.line(left, bottom, right, bottom, GRID)
    return canvas.svg()


def _label_margin(labels: Sequence[str], width: float) -> float:
    """Room on the left for the longest label, at most two fifths of the chart."""
    return min(max(text_width(label, LABEL_SIZE) for label in labels) + 14, width * 0.4)


def fitted(label: str, room: float, size: float = LABEL_SIZE) -> str:
    """label, cut short with an ellipsis where it would not fit in room (the table below a chart has it whole)."""
    fits = int(room / (size * CHAR_WIDTH))
    return label if len(label) <= fits else label[: max(fits - 1, 1)].rstrip() + "…"


ROW_HEIGHT = 32
AXIS_HEIGHT = 30
"""Below the bars: the value axis's labels."""
ROWS_WIDTH = 720


@dataclass(frozen=True)
class RowsLayout:
    """Labelled horizontal rows: the labels on the left, bars from `left` to `right`, the value axis below."""

    labels: list[str]
    left: float
    right: float = ROWS_WIDTH - 36
    top: float = 12

    @property
    def bottom(self) -> float:
        return self.top + ROW_HEIGHT * len(self.labels)

    def middle(self, index: int) -> float:
        return self.top + (index + 0.5) * ROW_HEIGHT

    def canvas(self, label: str) -> Canvas:
        return Canvas(ROWS_WIDTH, self.bottom + AXIS_HEIGHT, label)

    def draw_labels(self, canvas: Canvas) -> None:
        for index, label in enumerate(self.labels):
            y = self.middle(index) + LABEL_SIZE * 0.35
            canvas.text(self.left - 8, y, fitted(label, self.left - 12), size=LABEL_SIZE, anchor="end")
        canvas.line(self.left, self.top, self.left, self.bottom, GRID)


def rows_layout(labels: Sequence[str]) -> RowsLayout:
    return RowsLayout(list(labels), left=_label_margin(labels, ROWS_WIDTH))


def budget_chart(rows: Sequence[tuple[str, int | None, int | None, int | None]]) -> str:
    """Per gemeente and perceel: realised so far (dark), forecast for the year (light), budget (black mark)."""
    layout = rows_layout([label for label, *_ in rows])
    amounts = [(cents or 0) / 100 for _, *row_cents in rows for cents in row_cents]
    x = nice_axis([0, *amounts], layout.left, layout.right)
    canvas = layout.canvas("Realisatie, prognose en budget per gemeente en perceel")
    _category_gridlines(canvas, x, layout.top, layout.bottom, compact_euros)
    for index, (_, realised, forecast, budget) in enumerate(rows):
        middle = layout.middle(index)
        bar_top, bar_height = middle - 0.3 * ROW_HEIGHT, 0.6 * ROW_HEIGHT
        canvas.rect(x(0), bar_top, x((forecast or 0) / 100) - x(0), bar_height, FORECAST)
        canvas.rect(x(0), bar_top, x((realised or 0) / 100) - x(0), bar_height, REALISED)
        if budget is not None:
            mark = x(budget / 100)
            canvas.line(mark, middle - 0.42 * ROW_HEIGHT, mark, middle + 0.42 * ROW_HEIGHT, INK, 2.5)
    layout.draw_labels(canvas)
    return canvas.svg()


def bar_chart(rows: Sequence[tuple[str, float]], label: str, value_format: str = "number") -> str:
    """Horizontal bars, largest first as given, each with its value."""
    layout = rows_layout([row_label for row_label, _ in rows])
    values = [value for _, value in rows]
    # Room after the longest bar for its value.
    x = nice_axis([0, *values, max(values) * 1.12], layout.left, layout.right, integer=value_format == "number")
    canvas = layout.canvas(label)
    _category_gridlines(canvas, x, layout.top, layout.bottom, tick_format(value_format, x))
    for index, value in enumerate(values):
        middle = layout.middle(index)
        canvas.rect(x(0), middle - 0.3 * ROW_HEIGHT, x(value) - x(0), 0.6 * ROW_HEIGHT, REALISED)
        canvas.text(x(value) + 5, middle + TICK_SIZE * 0.35, value_text(value, value_format))
    layout.draw_labels(canvas)
    return canvas.svg()

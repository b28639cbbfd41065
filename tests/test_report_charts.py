"""The report's SVG charts: round axes, values where their scale puts them, text escaped, labels that fit."""

import pytest
from lxml import etree

from orchestration.report.charts import (
    DECREASE,
    FORECAST,
    GRID,
    INCREASE,
    REALISED,
    TOTAL,
    TrendSeries,
    bar_chart,
    budget_chart,
    nice_axis,
    trend_chart,
    waterfall_chart,
)

SVG = "{http://www.w3.org/2000/svg}"


def near(pixels: float):
    """Coordinates are written to a tenth of a pixel, so a difference of two can be off by two tenths."""
    return pytest.approx(pixels, abs=0.2)


def parsed(svg: str) -> etree._Element:
    root = etree.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    return root


def texts(root: etree._Element) -> list[str]:
    return [element.text for element in root.iter(f"{SVG}text")]


def rects(root: etree._Element, fill: str) -> list[dict[str, float]]:
    return [
        {key: float(element.get(key)) for key in ("x", "y", "width", "height")}
        for element in root.iter(f"{SVG}rect")
        if element.get("fill") == fill
    ]


@pytest.mark.parametrize(
    ("values", "integer", "low", "high", "ticks", "decimals"),
    [
        # 0..1,755: a quarter of the span is 439, so steps of 500 up to the next one above.
        ([0, 1567, 1755.04], True, 0, 2000, [0, 500, 1000, 1500, 2000], 0),
        ([8.3, 9.1, 11], False, 8, 11, [8, 9, 10, 11], 0),
        # One value: a tenth of it either side, in steps of 0.25.
        ([5, 5], False, 4.5, 5.5, [4.5, 4.75, 5, 5.25, 5.5], 2),
        # Counts never get steps below 1.
        ([0, 0, 1], True, 0, 1, [0, 1], 0),
        ([-120, 40], False, -150, 50, [-150, -100, -50, 0, 50], 0),
    ],
)
def test_axes_run_in_round_steps_around_the_values(values, integer, low, high, ticks, decimals):
    axis = nice_axis(values, 100, 0, integer=integer)
    assert (axis.low, axis.high, axis.decimals) == (low, high, decimals)
    assert axis.ticks == pytest.approx(ticks)
    assert (axis(low), axis(high)) == (100, 0)


def trend(values, target=25.0, title="Doorlooptijd", value_format="number", band=(20.0, 30.0)) -> TrendSeries:
    return TrendSeries(
        title=title,
        labels=["2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"],
        values=values,
        target=target,
        band_low=band[0],
        band_high=band[1],
        status="red",
        value_format=value_format,
    )


def test_trend_points_lie_on_one_linear_scale_and_skip_missing_quarters():
    root = parsed(trend_chart([trend([10.0, 20.0, None, 40.0])]))
    (line,) = root.iter(f"{SVG}polyline")
    points = [tuple(map(float, pair.split(","))) for pair in line.get("points").split()]
    assert len(points) == 3
    (x0, y0), (x1, y1), (x3, y3) = points
    # Quarters 0, 1 and 3: equal steps across; the values 10, 20 and 40 in SVG's downward y.
    assert x3 - x1 == near(2 * (x1 - x0))
    assert y3 - y1 == near(2 * (y1 - y0)) and y1 < y0
    (target,) = [element for element in root.iter(f"{SVG}line") if element.get("stroke-dasharray")]
    assert float(target.get("y1")) == near(y1 + (y3 - y1) / 4)  # 25 is a quarter of the way from 20 to 40
    (band,) = rects(root, GRID)
    assert band["y"] + band["height"] == near(y1)  # the band's floor is 20
    assert band["y"] == near(y1 + (y3 - y1) / 2)  # and its ceiling 30
    assert {"2024-Q1", "2024-Q4", "Doorlooptijd"} <= set(texts(root))


def test_trend_panels_fill_rows_of_columns():
    root = parsed(trend_chart([trend([1.0, 2.0, 3.0, 4.0], title=f"KPI {n}") for n in range(5)], columns=4))
    assert (root.get("width"), root.get("height")) == ("1000", "400")
    assert len(list(root.iter(f"{SVG}polyline"))) == 5


def test_percent_axes_are_labelled_in_dutch():
    labels = texts(
        parsed(trend_chart([trend([8.3, 9.1, 11.0, None], target=None, band=(None, None), value_format="percent")]))
    )
    assert {"8%", "9%", "10%", "11%"} <= set(labels)
    labels = texts(
        parsed(trend_chart([trend([5.0, 5.0, 5.0, 5.0], value_format="percent", band=(None, None), target=None)]))
    )
    assert {"4,50%", "4,75%", "5,25%"} <= set(labels)


def test_text_is_escaped():
    hostile = '<script>alert("x")</script> & co'
    root = parsed(trend_chart([trend([1.0, 2.0, 3.0, 4.0], title=hostile)]))
    assert not list(root.iter(f"{SVG}script"))
    assert '<script>alert("x")</script> & co' in " ".join(texts(root))
    assert not list(parsed(bar_chart([(hostile, 3.0)], label=hostile)).iter(f"{SVG}script"))


def test_waterfall_bars_float_on_the_running_total():
    root = parsed(
        waterfall_chart(
            "Kosten 2023-Q2", 100_000_00, [("Volume", 16_000_00), ("Prijs", -4_000_00)], "Kosten 2024-Q2", 112_000_00
        )
    )
    (start, end) = rects(root, TOTAL)
    (volume,) = rects(root, INCREASE)
    (price,) = rects(root, DECREASE)
    per_euro = start["height"] / 100_000
    assert volume["height"] == near(16_000 * per_euro)
    assert price["height"] == near(4_000 * per_euro)
    assert end["height"] == near(112_000 * per_euro)
    # Volume starts where the first bar ends; the price cut hangs from volume's top down to 112,000.
    assert volume["y"] + volume["height"] == near(start["y"])
    assert price["y"] == near(volume["y"])
    assert price["y"] + price["height"] == near(end["y"])
    # Dutch currency form (CLDR nl): the sign after the euro sign, a non-breaking space between them.
    assert {"€\xa0+16k", "€\xa0-4.000", "€\xa0100k", "€\xa0112k"} <= set(texts(root))


def test_budget_bars_measure_from_zero_either_way_and_long_labels_are_cut():
    long_name = "Súdwest-Fryslân · Jeugdhulp met verblijf, gezinsvormen en gesloten plaatsingen samen"
    root = parsed(
        budget_chart(
            [("Haarlem · Ambulant", -50_000_00, 150_000_00, 200_000_00), (long_name, 100_000_00, 200_000_00, None)]
        )
    )
    forecast = rects(root, FORECAST)
    realised = rects(root, REALISED)
    per_euro = forecast[1]["width"] / 200_000
    zero = forecast[1]["x"]
    # A negative realisation (credits over debits) runs left of zero.
    assert realised[0]["x"] + realised[0]["width"] == near(zero)
    assert realised[0]["width"] == near(50_000 * per_euro)
    assert realised[1] == pytest.approx({**forecast[1], "width": 100_000 * per_euro}, abs=0.2)
    marks = [element for element in root.iter(f"{SVG}line") if element.get("stroke-width") == "2.5"]
    assert len(marks) == 1 and float(marks[0].get("x1")) == near(zero + 200_000 * per_euro)
    labels = texts(root)
    assert "Haarlem · Ambulant" in labels
    (cut,) = [label for label in labels if label.startswith("Súdwest")]
    assert cut.endswith("…") and long_name.startswith(cut[:-1])


def test_bars_carry_their_exact_values():
    root = parsed(bar_chart([("Gemeente", 1567.0), ("Huisarts", 1153.0), ("Rechter", 7.5)], label="Verwijzingen"))
    assert root.get("aria-label") == "Verwijzingen"
    widths = [bar["width"] for bar in rects(root, REALISED)]
    assert widths[1] / widths[0] == pytest.approx(1153 / 1567, rel=1e-3)
    assert {"1.567", "1.153", "7,5", "0", "2.000"} <= set(texts(root))

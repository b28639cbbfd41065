"""The small worlds the steering tests share, written into one DuckDB, with the steering models built on it once.

Signals world (tests/test_steering_signals.py), catalogue stated here (direction, target, band):
    early_termination_share        lower_is_better   10  [0, 15]     percent, count / count
    ended_according_to_plan_share  higher_is_better  70  [60, 100]   percent, count / count
    residential_under_12           lower_is_better    0  [0, 0]      count (a level)
    trajectories_active            no target: never a signal
Region JZ99 holds GM9901-GM9906 and has no targets of its own; region JZ98 holds GM9801 and sets its own:
ended_according_to_plan_share 75 [65, 100], early_termination_share 12 (band from the catalogue). Region JZ94
(GM9401) sets residential_under_12 against a base year: 5% to 7% less than 2023, red above the 2023 level.

Cost world (tests/test_steering_cost_variance.py): declaration lines of region JZ95 (the hand-computed case of
docs/steering.md) and of regions JZ97 and JZ96 (seeded random lines with credits, mixed units, care forms that appear
and disappear).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.steering_dbt import PERIODS_COLUMNS, build_models, quarter_periods, write_tables

LOWER, HIGHER = "lower_is_better", "higher_is_better"
P1, P2, P3, P4, P5, P6 = "98000001", "98000002", "98000003", "98000004", "98000005", "98000006"

CATALOGUE = [
    # kpi_id, name_nl, unit, numerator_kind, denominator_kind, direction, target, band_low, band_high
    ("early_termination_share", "Aandeel uitval", "percent", "count", "count", LOWER, 10, 0, 15),
    ("ended_according_to_plan_share", "Aandeel volgens plan", "percent", "count", "count", HIGHER, 70, 60, 100),
    ("residential_under_12", "Onder 12 in verblijf", "count", "count", "none", LOWER, 0, 0, 0),
    ("trajectories_active", "Lopende trajecten", "count", "count", "none", LOWER, None, None, None),
]
RATIO_KPIS = {"early_termination_share", "ended_according_to_plan_share"}

# (kpi_id, scope_type, scope_code, period, value, numerator, denominator). Ratios over 1,000 so no count is small.
VALUES = [
    # Lower is better, target 10, band_high 15.
    ("early_termination_share", "municipality", "GM9901", "2024-Q1", 8.0, 80, 1000),
    ("early_termination_share", "municipality", "GM9902", "2024-Q1", 10.0, 100, 1000),
    ("early_termination_share", "municipality", "GM9903", "2024-Q1", 12.0, 120, 1000),
    ("early_termination_share", "municipality", "GM9904", "2024-Q1", 15.0, 150, 1000),
    ("early_termination_share", "municipality", "GM9905", "2024-Q1", 15.5, 155, 1000),
    # Numerator 2 < 10: withheld from publication, so no_data.
    ("early_termination_share", "municipality", "GM9906", "2024-Q1", 20.0, 2, 10),
    # Higher is better, target 70, band_low 60.
    ("ended_according_to_plan_share", "municipality", "GM9901", "2024-Q1", 75.0, 750, 1000),
    ("ended_according_to_plan_share", "municipality", "GM9902", "2024-Q1", 70.0, 700, 1000),
    ("ended_according_to_plan_share", "municipality", "GM9903", "2024-Q1", 65.0, 650, 1000),
    ("ended_according_to_plan_share", "municipality", "GM9904", "2024-Q1", 60.0, 600, 1000),
    ("ended_according_to_plan_share", "municipality", "GM9905", "2024-Q1", 59.5, 595, 1000),
    # Zero target: 0 green, 12 red, 3 withheld; GM9904 has a value in Q2 only, so Q1 is missing.
    ("residential_under_12", "municipality", "GM9901", "2024-Q1", 0.0, 0, None),
    ("residential_under_12", "municipality", "GM9902", "2024-Q1", 12.0, 12, None),
    ("residential_under_12", "municipality", "GM9903", "2024-Q1", 3.0, 3, None),
    ("residential_under_12", "municipality", "GM9904", "2024-Q2", 0.0, 0, None),
    # Override cases (JZ98 has its own targets in the override run): same values as JZ99's GM9902/GM9903.
    ("ended_according_to_plan_share", "municipality", "GM9801", "2024-Q1", 70.0, 700, 1000),
    ("early_termination_share", "municipality", "GM9801", "2024-Q1", 12.0, 120, 1000),
    # Base-year target (JZ94): 2023's quarters are the base of 2024's; 2023-Q4 has no value.
    *[
        ("residential_under_12", "municipality", "GM9401", period, value, value, None)
        for period, value in {
            "2023-Q1": 20.0,
            "2023-Q2": 20.0,
            "2023-Q3": 20.0,
            "2024-Q1": 21.0,
            "2024-Q2": 18.0,
            "2024-Q3": 20.0,
            "2024-Q4": 15.0,
        }.items()
    ],
    # 2024-Q3, drivers. Region JZ99: 40 of 200 = 20% (red); GM9901 30 of 100 (red), GM9902 10 of 100 (green).
    ("early_termination_share", "region", "JZ99", "2024-Q3", 20.0, 40, 200),
    ("early_termination_share", "municipality", "GM9901", "2024-Q3", 30.0, 30, 100),
    ("early_termination_share", "municipality", "GM9902", "2024-Q3", 10.0, 10, 100),
    ("early_termination_share", "municipality_provider", f"GM9901|{P1}", "2024-Q3", 40.0, 20, 50),
    ("early_termination_share", "municipality_provider", f"GM9901|{P2}", "2024-Q3", 20.0, 10, 50),
    ("early_termination_share", "municipality_provider", f"GM9902|{P1}", "2024-Q3", 100 * 5 / 60, 5, 60),
    ("early_termination_share", "municipality_provider", f"GM9902|{P2}", "2024-Q3", 12.5, 5, 40),
    # Region 12 youths under 12 in residential care, but 8 + 5 = 13 over its municipalities (one moved).
    ("residential_under_12", "region", "JZ99", "2024-Q3", 12.0, 12, None),
    ("residential_under_12", "municipality", "GM9901", "2024-Q3", 8.0, 8, None),
    ("residential_under_12", "municipality", "GM9902", "2024-Q3", 5.0, 5, None),
    # Amber: 130 of 200 = 65% against 70.
    ("ended_according_to_plan_share", "region", "JZ99", "2024-Q3", 65.0, 130, 200),
    ("trajectories_active", "municipality_provider", f"GM9901|{P1}", "2024-Q3", 70.0, 70, None),
    # Trends at provider scope over 2024-Q1..Q4.
    *[
        ("early_termination_share", "provider", provider, f"2024-Q{quarter}", value, round(value * 100), 1000)
        for provider, series in {
            P3: [8.0, 9.0, 10.0, 12.0],
            P4: [14.0, 12.0, 10.0, 8.0],
            P5: [10.0, 10.1, 10.0, 10.1],
            P6: [None, None, 10.0, 11.0],
        }.items()
        for quarter, value in enumerate(series, start=1)
        if value is not None
    ],
]

MUNICIPALITIES = [
    *[(f"GM990{n}", f"Testgemeente {n}", "JZ99") for n in range(1, 7)],
    ("GM9801", "Testdorp", "JZ98"),
    ("GM9501", "Kostendorp", "JZ95"),
    ("GM9701", "Lotstad", "JZ97"),
    ("GM9702", "Lotdorp", "JZ97"),
    ("GM9601", "Kansdorp", "JZ96"),
    ("GM9401", "Basisdorp", "JZ94"),
]
REGIONS = [
    ("JZ99", "Testregio"),
    ("JZ98", "Regio Ander"),
    ("JZ95", "Kostenregio"),
    ("JZ97", "Lot"),
    ("JZ96", "Kans"),
    ("JZ94", "Basisregio"),
]
REGION_TARGETS = [
    ("JZ98", "ended_according_to_plan_share", 75, 65, 100, None, "test"),
    # Target only: the band falls back to the catalogue's [0, 15].
    ("JZ98", "early_termination_share", 12, None, None, None, "test"),
    # "5% to 7% less than 2023", at most the 2023 level before it is red: percent changes on the base quarter.
    ("JZ94", "residential_under_12", -5, -7, 0, 2023, "test"),
]


# Cost world. Products and their care forms and units (WJ756): hours, minutes, etmalen, pieces, euros, dagdelen.
PRODUCTS = {
    "P02H": ("02", "04"),
    "P02M": ("02", "01"),
    "P11E": ("11", "14"),
    "P14S": ("14", "82"),
    "P13X": ("13", "83"),
    "P13D": ("13", "16"),
    "PNONE": (None, "82"),
}
UNITS = [("01", 1), ("04", 60), ("14", None), ("16", 240), ("82", None), ("83", None), ("84", None)]
PROVIDERS = [P1, P2, P3]


@dataclass(frozen=True)
class Line:
    client: str
    municipality: str
    provider: str
    product: str
    month: dt.date
    volume: int
    amount_cents: int
    credit: bool = False

    def row(self) -> tuple:
        unit = PRODUCTS[self.product][1]
        sign = -1 if self.credit else 1
        return (
            self.client,
            self.municipality,
            self.provider,
            self.product,
            self.month,
            self.volume,
            unit,
            sign * self.amount_cents,
            "C" if self.credit else "D",
        )


def hand_case_lines() -> list[Line]:
    """docs/steering.md's worked example in region JZ95: one line per youth, in March of each year.

    2023: 20 youths ambulant 10 hours at EUR 100, 5 youths residential (14) 30 etmalen at EUR 200.
    2024: 22 youths ambulant, same; 7 youths residential 30 etmalen at EUR 210.
    """
    lines = []
    for year, ambulant, residential, day_price in ((2023, 20, 5, 20_000), (2024, 22, 7, 21_000)):
        month = dt.date(year, 3, 1)
        lines += [Line(f"A{n}", "GM9501", P1, "P02H", month, 10, 10 * 10_000) for n in range(ambulant)]
        # P14S counts pieces; the residential product's unit does not matter to the hand case (units per
        # trajectory stay 30 in both years).
        lines += [Line(f"R{n}", "GM9501", P2, "P14S", month, 30, 30 * day_price) for n in range(residential)]
    return lines


def random_lines(seed: int = 7) -> list[Line]:
    """Seeded random declarations over 2023-2024 in JZ97 (two municipalities) and JZ96, with credits, mixed units
    within a care form, care form 13 appearing in JZ97 in 2024 only and 11 disappearing from JZ96 after 2023, a
    product without a care form, and one quarter whose units net to zero under a cost that does not."""
    rng = random.Random(seed)
    lines: list[Line] = []
    for year in (2023, 2024):
        for municipality in ("GM9701", "GM9702", "GM9601"):
            products = ["P02H", "P02M", "P14S", "PNONE"]
            if municipality.startswith("GM97") and year == 2024:
                products += ["P13X", "P13D"]
            if municipality == "GM9601" and year == 2023:
                products.append("P11E")
            for _ in range(rng.randint(25, 45)):
                product = rng.choice(products)
                month = dt.date(year, rng.randint(1, 12), 1)
                volume = rng.randint(1, 40)
                tariff = rng.randint(2_000, 30_000)
                amount = volume * 100 if PRODUCTS[product][1] == "83" else volume * tariff
                line = Line(
                    f"C{rng.randint(1, 40)}", municipality, rng.choice(PROVIDERS), product, month, volume, amount
                )
                lines.append(line)
                if rng.random() < 0.15:
                    lines.append(Line(**{**line.__dict__, "credit": True}))
    # Units net to zero, cost does not: 10 hours declared at EUR 1,000, credited at EUR 900.
    month = dt.date(2024, 2, 1)
    lines.append(Line("Z1", "GM9601", P3, "P02M", month, 600, 100_000))
    lines.append(Line("Z1", "GM9601", P3, "P02M", month, 600, 90_000, credit=True))
    return lines


def write_world(db_path: Path) -> None:
    published = [row for row in VALUES if "_" not in row[1] or row[1] == "care_form"]
    units = {kpi: unit for kpi, _, unit, *_ in CATALOGUE}
    care_forms = sorted({care_form for care_form, _ in PRODUCTS.values() if care_form})
    write_tables(
        db_path,
        {
            "marts.dim_kpi": (
                "kpi_id varchar, name_nl varchar, unit varchar, numerator_kind varchar, denominator_kind varchar, "
                "direction varchar, default_target decimal(18, 2), band_low decimal(18, 2), band_high decimal(18, 2), "
                "lever varchar, policy_goal varchar",
                [(*row, "diagnostic", "tijdig best passende hulp") for row in CATALOGUE],
            ),
            "marts.kpi_values": (
                "kpi_id varchar, scope_type varchar, scope_code varchar, period_type varchar, period varchar, "
                "value double, numerator decimal(18, 2), denominator decimal(18, 2), unit varchar, suppressed boolean",
                [(k, t, c, "quarter", p, v, n, d, units[k], False) for k, t, c, p, v, n, d in published],
            ),
            "intermediate.int_kpi_values_unioned": (
                "kpi_id varchar, scope_type varchar, scope_code varchar, period_type varchar, period varchar, "
                "numerator decimal(18, 2), denominator decimal(18, 2), value double",
                [(k, t, c, "quarter", p, n, d, v) for k, t, c, p, v, n, d in VALUES],
            ),
            "intermediate.int_kpi_periods": (PERIODS_COLUMNS, quarter_periods([2023, 2024])),
            "marts.dim_municipality": (
                "municipality_code varchar, municipality_name varchar, region_code varchar",
                MUNICIPALITIES,
            ),
            "marts.dim_region": ("region_code varchar, region_name varchar", REGIONS),
            "marts.dim_care_form": (
                "care_form_code varchar, care_form_name_nl varchar",
                [(code, f"Hulpvorm {code}") for code in care_forms],
            ),
            # P2 has a name in the region's seed, the others are shown by their code.
            "marts.dim_provider": (
                "provider_agb varchar, provider_name varchar",
                [(p, "Zorgaanbieder Twee" if p == P2 else None) for p in (P1, P2, P3, P4, P5, P6)],
            ),
            "marts.dim_product": (
                "product_code varchar, care_form_code varchar",
                [(code, care_form) for code, (care_form, _) in PRODUCTS.items()],
            ),
            "reference.wj756_units": ("unit_code varchar, minutes_per_unit integer", UNITS),
            "reference.region_kpi_targets": (
                "region_code varchar, kpi_id varchar, target decimal(18, 2), band_low decimal(18, 2), "
                "band_high decimal(18, 2), base_year integer, note varchar",
                REGION_TARGETS,
            ),
            # GM9901 is expected to overrun its Ambulant budget (a breach), GM9902 only nears its own (a warning); P1
            # is expected to cross its cap, P2 not.
            "marts.budget_forecast": (
                "municipality_code varchar, region_code varchar, perceel varchar, year integer, as_of_period varchar, "
                "realised_cents_ytd bigint, forecast_year_end_cents bigint, budget_cents bigint, "
                "expected_overrun_cents bigint, boundary_status varchar",
                [
                    (
                        "GM9901",
                        "JZ99",
                        "Ambulant",
                        2024,
                        "2024-Q3",
                        9_000_000,
                        12_000_000,
                        10_000_000,
                        2_000_000,
                        "breach",
                    ),
                    (
                        "GM9902",
                        "JZ99",
                        "Ambulant",
                        2024,
                        "2024-Q3",
                        7_000_000,
                        9_700_000,
                        10_000_000,
                        -300_000,
                        "warning",
                    ),
                ],
            ),
            "marts.provider_revenue_forecast": (
                "provider_agb varchar, year integer, as_of_period varchar, revenue_cents_ytd bigint, "
                "forecast_year_end_cents bigint, cap_cents bigint, forecast_share_of_cap double, early_warning boolean",
                [
                    (P1, 2024, "2024-Q3", 9_000_000, 12_000_000, 10_000_000, 1.2, True),
                    (P2, 2024, "2024-Q3", 3_000_000, 4_000_000, 10_000_000, 0.4, False),
                ],
            ),
            "marts.fct_declaration_line": (
                "client_key varchar, municipality_code varchar, provider_agb varchar, product_code varchar, "
                "period_start date, volume bigint, unit_code varchar, amount_cents bigint, debit_credit varchar",
                [line.row() for line in hand_case_lines() + random_lines()],
            ),
        },
    )


@pytest.fixture(scope="session")
def steering_world(tmp_path_factory) -> Path:
    """The worlds above with every steering model (and its dbt tests) built on them, once per session."""
    db_path = tmp_path_factory.mktemp("steering_world") / "warehouse.duckdb"
    write_world(db_path)
    build_models(db_path, ["tag:steering"])
    return db_path

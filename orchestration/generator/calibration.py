"""Calibration of the synthetic world: who lives where, which care exists, what it costs and how long it lasts.

Sources (../shared/reference/README.md unless noted): youth populations of the Rijk van Nijmegen municipalities
(CBS 2017); share of youth with jeugdhulp 8-12% (NL 11.2% in 2017, 10.3% in 2020-H2, regions 8.2-12.6%); the
national product code list with its CBS care-form dimension (seeds/reference/product_codes.csv). Inhabitant counts of
the other default municipalities are rounded, plausible figures (not official statistics); the 2016 CBS area file has
no population, so municipalities outside the tables get a deterministic plausible size from their code.
"""

from __future__ import annotations

import csv
import hashlib
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from orchestration.settings import REPO_ROOT

MUNICIPALITIES_CSV = REPO_ROOT / "seeds" / "reference" / "municipalities.csv"
PRODUCT_CODES_CSV = REPO_ROOT / "seeds" / "reference" / "product_codes.csv"
PERCEEL_MAPPING_CSV = REPO_ROOT / "seeds" / "reference" / "perceel_mapping.csv"
# Municipality -> youth-care region from CBS 83287NED "Gebieden in Nederland 2016" (CC BY 4.0): 2016 boundaries, for
# national-scale synthetic worlds only, not as current truth.
AREAS_2016_CSV = Path(__file__).with_name("municipalities_2016.csv")

# Youth 0-17 on 1 January 2017 (CBS, README): used as given.
YOUTH_POPULATION = {
    "GM0268": 29_008,
    "GM0296": 8_442,
    "GM1945": 6_176,
    "GM0209": 4_976,
    "GM0225": 3_831,
    "GM0252": 3_239,
    "GM0944": 1_394,
}
# Inhabitants, rounded and plausible (about 2023): the other default municipalities and the largest cities, so a
# national world has its big cities where they are.
INHABITANTS = {
    "GM0377": 23_900,
    "GM0392": 162_900,
    "GM0397": 27_900,
    "GM0473": 17_300,
    "GM0375": 42_900,
    "GM0396": 39_900,
    "GM0453": 69_100,
    "GM0361": 111_800,
    "GM0373": 30_100,
    "GM0383": 36_400,
    "GM1980": 89_600,
    "GM0399": 24_500,
    "GM0450": 13_800,
    "GM0363": 918_000,
    "GM0599": 664_000,
    "GM0518": 562_000,
    "GM0344": 367_000,
    "GM0772": 239_000,
    "GM0014": 237_000,
    "GM0855": 224_000,
    "GM0034": 218_000,
    "GM0758": 185_000,
}

# CBS hulpvorm mix of first allocations: ambulant the bulk, residential (11-14) a minority (README, DESIGN 6).
CARE_FORM_MIX = {"02": 0.66, "03": 0.07, "04": 0.09, "11": 0.06, "12": 0.03, "13": 0.01, "14": 0.08}
CRISIS_CATEGORY = "46"
CRISIS_SHARE = 0.03
RESIDENTIAL_FORMS = frozenset({"11", "12", "13", "14"})
# (median days, lowest, highest): ambulant weeks to a year, residential months to years, crisis days to weeks.
DURATION_DAYS = {
    "02": (130, 14, 365),
    "04": (150, 21, 365),
    "03": (200, 30, 540),
    "11": (420, 60, 1_100),
    "12": (330, 60, 1_000),
    "13": (150, 30, 365),
    "14": (300, 60, 1_000),
    "crisis": (14, 3, 42),
}
# COD327 types of JW315 requests; allocations without a request count as 01 (the access team), so 01 ends up the
# largest with huisarts second, GI, jeugdarts, medisch specialist and rechter smaller and 06 rare.
REQUEST_SHARE = 0.65
REFERRER_MIX = {"01": 0.07, "02": 0.45, "03": 0.09, "04": 0.12, "05": 0.15, "08": 0.09, "06": 0.03}
# JZ588: most end according to plan (31); early terminations 32-35; a few 36-39 and 20.
END_REASON_MIX = {
    "31": 0.70,
    "34": 0.08,
    "32": 0.06,
    "33": 0.04,
    "35": 0.04,
    "36": 0.02,
    "37": 0.02,
    "38": 0.02,
    "39": 0.01,
    "20": 0.01,
}
# Months between the end of the declared month and the declaration: 0-3. Every declaration file (one provider,
# municipality and month) draws its lag on its own; ground_truth.json states the profile this implies.
DECLARATION_LAG_MIX = {0: 0.55, 1: 0.30, 2: 0.10, 3: 0.05}
# The region budget and caps the generator writes (docs/budget-forecast.md): one municipality/perceel is budgeted
# below its year cost and one provider capped below its revenue, every other line above it, by a factor 1.5 either
# way. The margin is wider than the forecast's error at the shipped sample's scale (a provider of a few clients
# errs by up to a third at a quarter's cut), so the status each line must get is fixed by construction.
BUDGET_MARGIN_FACTOR = 1.5
OVERRUN_BUDGET_SHARE = 1 / BUDGET_MARGIN_FACTOR
BUDGET_HEADROOM_SHARE = BUDGET_MARGIN_FACTOR
OVERRUN_CAP_SHARE = 1 / BUDGET_MARGIN_FACTOR
CAP_HEADROOM_SHARE = BUDGET_MARGIN_FACTOR
# EUR cents per unit (WJ756): hour (also the tariff of minutes), etmaal, dagdeel, and per month for stuks output.
TARIFF_RANGE_CENTS = {"04": (8_000, 13_000), "01": (8_000, 13_000), "14": (15_000, 45_000), "16": (6_000, 15_000)}
OUTPUT_TARIFF_RANGE_CENTS = (40_000, 250_000)


@dataclass(frozen=True)
class Product:
    code: str
    category: str
    care_form: str
    unit_code: str


@dataclass(frozen=True)
class Municipality:
    code: str
    """GM code, e.g. GM0392."""
    region_code: str
    youth_population: int

    @property
    def code4(self) -> str:
        return self.code[2:]


def _stable_unit_interval(*parts: str) -> float:
    """A number in [0, 1) fixed by the parts alone (not by the seed): municipality sizes do not change per world."""
    digest = hashlib.sha256(":".join(parts).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


@cache
def _areas_2016() -> dict[str, str]:
    with AREAS_2016_CSV.open(newline="", encoding="utf-8") as handle:
        return {row["municipality_code"]: row["region_code"] for row in csv.DictReader(handle)}


@cache
def _default_regions() -> dict[str, str]:
    with MUNICIPALITIES_CSV.open(newline="", encoding="utf-8") as handle:
        return {row["municipality_code"]: row["region_code"] for row in csv.DictReader(handle)}


def default_municipality_codes() -> list[str]:
    return list(_default_regions())


def national_municipality_codes() -> list[str]:
    return sorted(_areas_2016())


def youth_population(code: str) -> int:
    if code in YOUTH_POPULATION:
        return YOUTH_POPULATION[code]
    if code in INHABITANTS:
        inhabitants = INHABITANTS[code]
    else:
        # Log-normal around 28,000 inhabitants (the Dutch median municipality), from 1,000 to 300,000.
        z = math.sqrt(2) * _inverse_erf(2 * _stable_unit_interval("size", code) - 1)
        inhabitants = int(min(300_000, max(1_000, 28_000 * math.exp(0.75 * z))))
    return round(inhabitants * youth_share(code))


def youth_share(code: str) -> float:
    """The municipality's share of 0-17 year olds among its inhabitants: 18-21%, fixed per code."""
    return 0.18 + 0.03 * _stable_unit_interval("youth", code)


@cache
def default_names() -> tuple[dict[str, str], dict[str, str]]:
    """Municipality and region names of the default municipalities (seeds/reference/municipalities.csv); the 2016
    area file has codes only."""
    with MUNICIPALITIES_CSV.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return (
        {row["municipality_code"]: row["municipality_name"] for row in rows},
        {row["region_code"]: row["region_name"] for row in rows},
    )


def _inverse_erf(y: float) -> float:
    """Winitzki's approximation, ample for drawing plausible sizes."""
    a = 0.147
    ln = math.log(1 - y * y) if abs(y) < 1 else -40.0
    first = 2 / (math.pi * a) + ln / 2
    return math.copysign(math.sqrt(math.sqrt(first * first - ln / a) - first), y)


def municipality(code: str) -> Municipality:
    region = _default_regions().get(code) or _areas_2016().get(code)
    if region is None:
        raise ValueError(f"unknown municipality {code}: not in {MUNICIPALITIES_CSV.name} nor the 2016 CBS area file")
    return Municipality(code=code, region_code=region, youth_population=youth_population(code))


def provider_agbs(region_code: str) -> list[str]:
    """Fictitious AGB codes (98 + region number + serial): a handful of providers per youth-care region."""
    count = 4 + int(5 * _stable_unit_interval("providers", region_code))
    return [f"98{int(region_code[2:]):02d}{serial:04d}" for serial in range(1, count + 1)]


def _unit_for(code: str, care_form: str, delivery_variant: str) -> str:
    if care_form in RESIDENTIAL_FORMS:
        return "14"
    if care_form == "03":
        return "16"
    if delivery_variant == "Outputgericht":
        return "82"
    # Most providers declare hours; a quarter declare minutes against an hourly tariff (TR346 divides by 60).
    return "01" if _stable_unit_interval("unit", code) < 0.25 else "04"


@cache
def products() -> tuple[Product, ...]:
    """Jeugdhulp products with a CBS care form in the mix (wijkteam 01 is not delivered by contracted providers)."""
    found = []
    with PRODUCT_CODES_CSV.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            form = row["care_form_code"]
            if row["care_form_domain"] != "jeugdhulp" or form not in CARE_FORM_MIX:
                continue
            unit = _unit_for(row["product_code"], form, row["delivery_variant"])
            found.append(Product(row["product_code"], row["product_category_code"], form, unit))
    return tuple(found)


@cache
def _perceel_mapping() -> dict[tuple[str, str], str]:
    with PERCEEL_MAPPING_CSV.open(newline="", encoding="utf-8") as handle:
        return {(row["match_type"], row["code"]): row["perceel"] for row in csv.DictReader(handle)}


def perceel_of(product: Product) -> str:
    """The seed perceel_mapping's rule, as budget_forecast applies it: the crisis category first, then the care form."""
    mapping = _perceel_mapping()
    return (
        mapping.get(("product_category", product.category)) or mapping.get(("care_form", product.care_form)) or "Overig"
    )


@cache
def known_product_codes() -> frozenset[str]:
    with PRODUCT_CODES_CSV.open(newline="", encoding="utf-8") as handle:
        return frozenset(row["product_code"] for row in csv.DictReader(handle))


@cache
def products_by_form(crisis: bool) -> dict[str, list[Product]]:
    grouped: dict[str, list[Product]] = {}
    for item in products():
        if (item.category == CRISIS_CATEGORY) == crisis:
            grouped.setdefault(item.care_form, []).append(item)
    return grouped

"""Write the CBS and budget sample (seeds/sample/cbs, seeds/sample/budgets) for the 20 municipalities in
seeds/reference/municipalities.csv: snapshot files in the OData v3 shape of docs/cbs.md and a region budget CSV.

Figures are synthetic, calibrated on ../shared/reference/README.md (youth 0-17 per municipality, about 8-12% of youth
with jeugdhulp, cost per youth around EUR 1,700); 85099NED's relative figure is over the youth 0-22, as CBS's.
Measure and dimension keys are this project's snapshot design; docs/cbs.md says which are to be checked against the
live tables.
"""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

from orchestration.cbs.snapshot_builder import (
    bundle,
    dimension_prop,
    entries,
    gebieden_bundle,
    gebieden_row,
    pad,
    periods,
    population_bundle,
    population_rows,
    topic,
)

REPO_ROOT = Path(__file__).resolve().parents[1]
SAMPLE = REPO_ROOT / "seeds" / "sample"

# Approximate youth 0-17 and total population on 1 January 2024 (rounded public orders of magnitude).
POPULATION = {
    "GM0377": (5_400, 23_900),
    "GM0392": (32_000, 164_000),
    "GM0397": (6_200, 27_800),
    "GM0473": (2_800, 17_400),
    "GM0375": (8_600, 42_500),
    "GM0396": (7_600, 39_500),
    "GM0453": (13_300, 69_000),
    "GM1945": (6_200, 35_500),
    "GM0209": (5_000, 26_300),
    "GM0225": (3_900, 19_900),
    "GM0252": (3_200, 16_800),
    "GM0944": (1_400, 7_900),
    "GM0268": (29_500, 182_000),
    "GM0296": (8_300, 41_500),
    "GM0361": (20_500, 111_000),
    "GM0373": (5_000, 30_000),
    "GM0383": (7_000, 36_500),
    "GM1980": (19_500, 90_000),
    "GM0399": (5_000, 24_500),
    "GM0450": (2_900, 13_800),
}
NL_YOUTH, NL_TOTAL = 3_390_000, 17_950_000
# Young adults 18-22 on 1 January 2024: about 30% of the youth 0-17, more in the university town Nijmegen.
YOUNG_ADULTS = {
    "GM0377": 1_600,
    "GM0392": 9_600,
    "GM0397": 1_900,
    "GM0473": 800,
    "GM0375": 2_600,
    "GM0396": 2_300,
    "GM0453": 4_000,
    "GM1945": 1_900,
    "GM0209": 1_500,
    "GM0225": 1_200,
    "GM0252": 1_000,
    "GM0944": 400,
    "GM0268": 18_300,
    "GM0296": 2_500,
    "GM0361": 6_200,
    "GM0373": 1_500,
    "GM0383": 2_100,
    "GM1980": 5_800,
    "GM0399": 1_500,
    "GM0450": 900,
    "NL01": 1_100_000,
}


def municipalities() -> list[dict[str, str]]:
    with (REPO_ROOT / "seeds" / "reference" / "municipalities.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def region_names() -> dict[str, str]:
    return {row["region_code"]: row["region_name"] for row in municipalities()}


def regio_dimension(keys: list[str]) -> list[dict]:
    names = {row["municipality_code"]: row["municipality_name"] for row in municipalities()}
    names.update(region_names())
    names["NL01"] = "Nederland"
    return entries([(pad(key), names[key]) for key in keys])


def population(rng: random.Random) -> dict:
    rows = []
    keys = [row["municipality_code"] for row in municipalities()] + ["NL01"]
    for period, growth in (("2023JJ00", 0.99), ("2024JJ00", 1.0)):
        for code in keys:
            youth, total = (NL_YOUTH, NL_TOTAL) if code == "NL01" else POPULATION[code]
            adults = YOUNG_ADULTS[code]
            rows += population_rows(
                code, period, round(youth * growth), round(adults * growth), round(total * growth), rng
            )
    regions = [(entry["Key"].strip(), entry["Title"]) for entry in regio_dimension(keys)]
    return population_bundle(rows, regions, {"2023JJ00": "Definitief", "2024JJ00": "Definitief"})


def gebieden() -> dict:
    rows = []
    for row in municipalities():
        nijmegen = row["region_code"] == "JZ32"
        rows.append(
            gebieden_row(
                row["municipality_code"],
                "2024JJ00",
                ("AM28", "Rijk van Nijmegen") if nijmegen else ("AM12", "Zuid-Holland Centraal"),
                ("GG1906", "GGD-regio"),
                (row["region_code"], row["region_name"] + "                                "),
            )
        )
    codes = [row["municipality_code"] for row in municipalities()]
    names = [(entry["Key"].strip(), entry["Title"]) for entry in regio_dimension(codes)]
    return gebieden_bundle(rows, names, 2024)


def youth_care(rng: random.Random) -> tuple[dict, dict, dict, dict[str, float]]:
    """85099NED (municipalities, regions, NL), 85098NED (municipalities) and 85097NED (regions, NL)."""
    share = {code: rng.uniform(0.085, 0.115) for code in POPULATION}
    regions = sorted({row["region_code"] for row in municipalities()})
    members = {
        region: [r["municipality_code"] for r in municipalities() if r["region_code"] == region] for region in regions
    }
    youth = {code: values[0] for code, values in POPULATION.items()}
    with_care = {code: round(youth[code] * share[code]) for code in POPULATION}
    # CBS's relative figure is over the youth 0-22 (docs/kpis.md).
    youth_0_22 = {code: youth[code] + YOUNG_ADULTS[code] for code in POPULATION}
    for region in regions:
        youth_0_22[region] = sum(youth_0_22[code] for code in members[region])
        with_care[region] = sum(with_care[code] for code in members[region])
    youth_0_22["NL01"], with_care["NL01"] = NL_YOUTH + YOUNG_ADULTS["NL01"], round(NL_YOUTH * 0.103)

    rows = []
    keys = list(POPULATION) + regions + ["NL01"]
    for period, factor in (("2023JJ00", 0.97), ("2024JJ00", 1.0)):
        for code in keys:
            care = round(with_care[code] * factor)
            protection, probation = round(care * 0.09), round(care * 0.025)
            rows.append(
                {
                    "RegioS": pad(code),
                    "Perioden": period,
                    "JongerenMetJeugdzorg_1": care + protection,
                    "JongerenMetJeugdhulp_2": care,
                    "JongerenMetJeugdbescherming_3": protection,
                    "JongerenMetJeugdreclassering_4": probation,
                    "JongerenMetJeugdhulpRelatief_5": round(100 * care / youth_0_22[code], 1),
                }
            )
    props = [
        dimension_prop(0, "RegioS", "Regio's", "GeoDimension"),
        dimension_prop(1, "Perioden", "Perioden", "TimeDimension"),
        topic(2, "JongerenMetJeugdzorg_1", "Jongeren met jeugdzorg", "aantal"),
        topic(3, "JongerenMetJeugdhulp_2", "Jongeren met jeugdhulp", "aantal"),
        topic(4, "JongerenMetJeugdbescherming_3", "Jongeren met jeugdbescherming", "aantal"),
        topic(5, "JongerenMetJeugdreclassering_4", "Jongeren met jeugdreclassering", "aantal"),
        topic(6, "JongerenMetJeugdhulpRelatief_5", "Jongeren met jeugdhulp, relatief", "%", "Double"),
    ]
    dims = {"RegioS": regio_dimension(keys), "Perioden": periods({"2023JJ00": "Definitief", "2024JJ00": "Voorlopig"})}
    kerncijfers = bundle("85099NED", "Jeugdzorg; kerncijfers, regio", props, dims, rows)

    rows = [
        {
            "RegioS": pad(code),
            "Perioden": "2023JJ00",
            "JongerenMetJeugdhulpInNatura_1": round(with_care[code] * 0.93),
            "JongerenMetJeugdhulpPgb_2": round(with_care[code] * 0.07),
            "TrajectenJeugdhulpInNatura_3": round(with_care[code] * 1.25),
        }
        for code in POPULATION
    ]
    props = [
        dimension_prop(0, "RegioS", "Regio's", "GeoDimension"),
        dimension_prop(1, "Perioden", "Perioden", "TimeDimension"),
        topic(2, "JongerenMetJeugdhulpInNatura_1", "Jongeren met jeugdhulp in natura", "aantal"),
        topic(3, "JongerenMetJeugdhulpPgb_2", "Jongeren met jeugdhulp pgb", "aantal"),
        topic(4, "TrajectenJeugdhulpInNatura_3", "Jeugdhulptrajecten in natura", "aantal"),
    ]
    dims = {"RegioS": regio_dimension(list(POPULATION)), "Perioden": periods({"2023JJ00": "Nader voorlopig"})}
    gemeenten = bundle("85098NED", "Jeugdhulp; gemeenten", props, dims, rows)

    referrers = [
        ("T001040 ", "Totaal"),
        ("A045461 ", "Gemeentelijke toegang"),
        ("A045462 ", "Huisarts"),
        ("A045463 ", "Jeugdarts"),
        ("A045464 ", "Gecertificeerde instelling"),
        ("A045465 ", "Medisch specialist"),
        ("A045466 ", "Geen verwijzer"),
    ]
    split = [0.0, 0.38, 0.33, 0.05, 0.09, 0.08, 0.07]
    rows = []
    for code in regions + ["NL01"]:
        ended = round(with_care[code] * 0.55)
        for (key, _), part in zip(referrers, split, strict=True):
            count = ended if key.startswith("T") else round(ended * part)
            rows.append(
                {
                    "Verwijzer": key,
                    "RegioS": pad(code),
                    "Perioden": "2023JJ00",
                    "BeeindigdeJeugdhulptrajecten_1": count,
                    "GemiddeldeDuurBeeindigdeTrajecten_2": rng.randint(240, 420),
                    "BeeindigdVolgensPlan_3": round(count * rng.uniform(0.6, 0.75)),
                }
            )
    props = [
        dimension_prop(0, "Verwijzer", "Verwijzer"),
        dimension_prop(1, "RegioS", "Regio's", "GeoDimension"),
        dimension_prop(2, "Perioden", "Perioden", "TimeDimension"),
        topic(3, "BeeindigdeJeugdhulptrajecten_1", "Beëindigde jeugdhulptrajecten in natura", "aantal"),
        topic(4, "GemiddeldeDuurBeeindigdeTrajecten_2", "Gemiddelde duur beëindigde trajecten", "dagen"),
        topic(5, "BeeindigdVolgensPlan_3", "Beëindigd volgens plan", "aantal"),
    ]
    dims = {
        "Verwijzer": entries(referrers),
        "RegioS": regio_dimension(regions + ["NL01"]),
        "Perioden": periods({"2023JJ00": "Definitief"}),
    }
    trajecten = bundle("85097NED", "Jeugdhulptrajecten; verwijzer, duur, reden beëindiging, regio", props, dims, rows)
    return kerncijfers, gemeenten, trajecten, share


COST_SPLIT = {
    "ambulant": 0.45,
    "verblijf": 0.35,
    "jeugdbescherming": 0.08,
    "jeugdreclassering": 0.02,
    "toegang": 0.06,
    "pgb": 0.04,
}


def rollup() -> dict[str, list[tuple[str, str, int, int]]]:
    """rollup line -> taakvelden (code, title, first year, last year), read from the seed the warehouse uses."""
    lines: dict[str, list[tuple[str, str, int, int]]] = {}
    with (REPO_ROOT / "seeds" / "reference" / "iv3_youth_taakvelden.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            lines.setdefault(row["rollup_line"], []).append(
                (
                    row["taakveld_code"],
                    row["taakveld_name_nl"],
                    int(row["valid_from_year"]),
                    int(row["valid_to_year"] or 9999),
                )
            )
    return lines


def iv3(rng: random.Random) -> dict:
    lines = rollup()
    taakvelden = {"0.1": "0.1 Bestuur"}
    for members in lines.values():
        taakvelden.update({code: f"{code} {title}" for code, title, _, _ in members})
    keys = {code: pad(f"T{index:03d}") for index, code in enumerate(sorted(taakvelden))}
    reports = [("BEGR    ", "Begroting"), ("REK     ", "Jaarrekening"), ("KW1     ", "1e kwartaal")]
    report_of = {"begroting": "BEGR    ", "jaarrekening": "REK     ", "kwartaal": "KW1     "}
    rows = []
    for year, kinds in (
        (2022, ("jaarrekening",)),
        (2024, ("begroting", "jaarrekening", "kwartaal")),
        (2025, ("begroting",)),
    ):
        for municipality, (youth, total) in POPULATION.items():
            budget_per_youth = 1_700 * (1.04 ** (year - 2024))
            for kind in kinds:
                factor = {"begroting": 1.0, "jaarrekening": rng.uniform(1.02, 1.12), "kwartaal": 0.24}[kind]
                for line, share in COST_SPLIT.items():
                    members = [m for m in lines[line] if m[2] <= year <= m[3]]
                    for code, _, _, _ in members:
                        thousands = round(youth * budget_per_youth * factor * share / len(members) / 1000)
                        rows.append(iv3_row(keys[code], "L       ", municipality, report_of[kind], year, thousands))
                rows.append(iv3_row(keys["0.1"], "L       ", municipality, report_of[kind], year, round(total / 90)))
                rows.append(iv3_row(keys["0.1"], "B       ", municipality, report_of[kind], year, round(total / 900)))
    # A revised figure (2ePlaatsing) and a "geen opgave" (-99998), as municipalities deliver them.
    revised = annual_account_2024_row(rows, "GM0392", keys["6.73a"])
    revised["k_2ePlaatsing_2"] = revised["k_1ePlaatsing_1"] + 250
    missing = annual_account_2024_row(rows, "GM0450", keys["6.73c"])
    missing["k_1ePlaatsing_1"] = -99998
    props = [
        dimension_prop(0, "TaakveldBalanspost", "Taakveld/Balanspost"),
        dimension_prop(1, "Categorie", "Categorie"),
        dimension_prop(2, "Gemeenten", "Gemeenten", "GeoDimension"),
        dimension_prop(3, "Verslagsoort", "Verslagsoort"),
        dimension_prop(4, "Perioden", "Perioden", "TimeDimension"),
        topic(5, "k_1ePlaatsing_1", "1e plaatsing", "x 1 000 euro"),
        topic(6, "k_2ePlaatsing_2", "2e plaatsing", "x 1 000 euro"),
    ]
    dims = {
        "TaakveldBalanspost": entries([(keys[code], title) for code, title in sorted(taakvelden.items())]),
        "Categorie": entries([("L       ", "Lasten"), ("B       ", "Baten")]),
        "Gemeenten": regio_dimension(list(POPULATION)),
        "Verslagsoort": entries(reports),
        "Perioden": periods({"2022JJ00": "Definitief", "2024JJ00": "Voorlopig", "2025JJ00": "Voorlopig"}),
    }
    return bundle("45046NED", "Iv3 gemeenten; lasten en baten naar taakveld (dataderden)", props, dims, rows)


def annual_account_2024_row(rows: list[dict], municipality: str, taakveld: str) -> dict:
    """The first Iv3 row of `municipality`'s 2024 jaarrekening (REK) on `taakveld`."""
    return next(
        r
        for r in rows
        if r["Gemeenten"].startswith(municipality)
        and r["Perioden"] == "2024JJ00"
        and r["Verslagsoort"].startswith("REK")
        and r["TaakveldBalanspost"] == taakveld
    )


def iv3_row(taakveld: str, category: str, municipality: str, report: str, year: int, thousands: int) -> dict:
    return {
        "TaakveldBalanspost": taakveld,
        "Categorie": category,
        "Gemeenten": pad(municipality),
        "Verslagsoort": report,
        "Perioden": f"{year}JJ00",
        "k_1ePlaatsing_1": thousands,
        "k_2ePlaatsing_2": None,
    }


def kosten(rng: random.Random) -> dict:
    rows = []
    for period, realised in (("2023JJ00", True), ("2024JJ00", False)):
        for code, (youth, _) in POPULATION.items():
            budget = round(youth * 1_650 / 1000)
            rows.append(
                {
                    "RegioS": pad(code),
                    "Perioden": period,
                    "BegroteKostenJeugdzorg_1": budget,
                    "GerealiseerdeKostenJeugdzorg_2": round(budget * rng.uniform(1.0, 1.15)) if realised else None,
                }
            )
    props = [
        dimension_prop(0, "RegioS", "Regio's", "GeoDimension"),
        dimension_prop(1, "Perioden", "Perioden", "TimeDimension"),
        topic(2, "BegroteKostenJeugdzorg_1", "Begrote kosten jeugdzorg", "x 1 000 euro"),
        topic(3, "GerealiseerdeKostenJeugdzorg_2", "Gerealiseerde kosten jeugdzorg", "x 1 000 euro"),
    ]
    dims = {
        "RegioS": regio_dimension(list(POPULATION)),
        "Perioden": periods({"2023JJ00": "Definitief", "2024JJ00": "Voorlopig"}),
    }
    return bundle("83454NED", "Kosten jeugdzorg; begroot en gerealiseerd, gemeenten", props, dims, rows)


def region_budget(rng: random.Random) -> str:
    lines = ["gemeente;jaar;perceel;bedrag;toelichting"]
    for municipality, (youth, _) in POPULATION.items():
        for perceel, share in (("Ambulant", 0.5), ("Verblijf", 0.38), ("Specialistisch en crisis", 0.12)):
            cents = round(youth * 1_750 * share * rng.uniform(0.97, 1.03) * 100)
            euros = f"{cents // 100:,}".replace(",", ".") + f",{cents % 100:02d}"
            note = "=indexatie 2025 (OVA 4,1%)" if municipality == "GM0392" and perceel == "Ambulant" else ""
            lines.append(
                f"{municipality[2:] if municipality == 'GM0392' else municipality};2025;{perceel};{euros};{note}"
            )
    return "\r\n".join(lines) + "\r\n"


def main() -> None:
    rng = random.Random(20250630)  # noqa: S311 - reproducible synthetic data
    cbs, budgets = SAMPLE / "cbs", SAMPLE / "budgets"
    cbs.mkdir(parents=True, exist_ok=True)
    budgets.mkdir(parents=True, exist_ok=True)
    kerncijfers, gemeenten, trajecten, _ = youth_care(rng)
    files = {
        cbs / "03759ned_sample.json": population(rng),
        cbs / "85755NED_sample.json": gebieden(),
        cbs / "85099NED_sample.json": kerncijfers,
        cbs / "85098NED_sample.json": gemeenten,
        cbs / "85097NED_sample.json": trajecten,
        cbs / "83454NED_sample.json": kosten(rng),
        budgets / "iv3_45046NED_sample.json": iv3(rng),
    }
    for path, content in files.items():
        path.write_text(json.dumps(content, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    (budgets / "regiobudget_2025.csv").write_bytes(region_budget(rng).encode("utf-8-sig"))
    print(f"wrote {len(files) + 1} files under {SAMPLE}")


if __name__ == "__main__":
    main()

"""Building CBS snapshot files in the OData v3 shape the readers expect (docs/cbs.md, orchestration/cbs/snapshot.py):
used by the sample writer (scripts/write_sample_cbs_budgets.py) and the synthetic-world generator, so both produce
exactly what a live pull of the same tables would store.
"""

from __future__ import annotations

import random
from collections.abc import Iterable

BASE = "https://opendata.cbs.nl/ODataApi/OData"
# 03759ned age keys: single years 0-22 are 10010-10032 (the readers know ages by title only); 23 jaar and 0 tot 5 jaar
# are present as in a live pull.
YOUTH_AGES = [(f"{10010 + age}", f"{age} jaar") for age in range(18)]
YOUNG_ADULT_AGES = [(f"{10010 + age}", f"{age} jaar") for age in range(18, 23)]
POPULATION_AGES = [("10000", "Totaal"), *YOUTH_AGES, *YOUNG_ADULT_AGES, ("10033", "23 jaar"), ("70100", "0 tot 5 jaar")]


def pad(key: str, width: int = 8) -> str:
    """CBS pads dimension keys with spaces to the width of the dimension's column."""
    return key.ljust(width)


def answer(table: str, entity: str, rows: list[dict]) -> dict:
    return {"odata.metadata": f"{BASE}/{table}/$metadata#Cbs.OData.WebAPI.{entity}", "value": rows}


def dimension_prop(position: int, key: str, title: str, kind: str = "Dimension") -> dict:
    return {
        "odata.type": f"Cbs.OData.{kind}",
        "ID": position,
        "Position": position,
        "ParentID": None,
        "Type": kind,
        "Key": key,
        "Title": title,
        "Description": "",
    }


def topic(position: int, key: str, title: str, unit: str, datatype: str = "Long") -> dict:
    return {
        "odata.type": "Cbs.OData.Topic",
        "ID": position,
        "Position": position,
        "ParentID": None,
        "Type": "Topic",
        "Key": key,
        "Title": title,
        "Description": "",
        "Datatype": datatype,
        "Unit": unit,
        "Decimals": 0,
        "Default": "Missing",
    }


def entries(pairs: Iterable[tuple[str, str]], **extra: dict[str, str]) -> list[dict]:
    return [{"Key": key, "Title": title, "Description": "", **extra.get(key.strip(), {})} for key, title in pairs]


def periods(codes: dict[str, str]) -> list[dict]:
    """Perioden entries from period code -> status (Definitief, Voorlopig, ...)."""
    titles = {"JJ": "{y}", "HJ": "{y} {n}e halfjaar", "KW": "{y} {n}e kwartaal"}
    return [
        {
            "Key": code,
            "Title": titles[code[4:6]].format(y=code[:4], n=int(code[6:])),
            "Description": "",
            "Status": status,
        }
        for code, status in codes.items()
    ]


def bundle(table: str, title: str, props: list[dict], dims: dict[str, list[dict]], rows: list[dict]) -> dict:
    infos = [
        {
            "ID": 1,
            "Title": title,
            "ShortTitle": title[:40],
            "Identifier": table,
            "Language": "nl",
            "Catalog": "CBS",
            "Frequency": "Perjaar",
            "Period": "",
            "Modified": "2025-06-30T02:00:00",
        }
    ]
    result = {
        "TableInfos": answer(table, "TableInfos", infos),
        "DataProperties": answer(table, "DataProperties", props),
    }
    result.update({name: answer(table, name, value) for name, value in dims.items()})
    result["TypedDataSet"] = answer(table, "TypedDataSet", [{"ID": index, **row} for index, row in enumerate(rows)])
    return result


def population_rows(
    code: str, period: str, youth: int, young_adults: int, total: int, rng: random.Random
) -> list[dict]:
    """03759ned records of one region and year: the total, single ages 0-17 summing exactly to `youth` (spread
    evenly give or take 5%), ages 18-22 summing exactly to `young_adults` (spread evenly, so the draws from `rng` stay
    those of ages 0-17), 23 jaar and a sub-total by sex that the population reader must skip."""
    weights = [rng.uniform(0.95, 1.05) for _ in range(18)]
    per_age = [int(youth * weight / sum(weights)) for weight in weights]
    per_age[-1] += youth - sum(per_age)
    per_adult_age = [young_adults // 5] * 5
    per_adult_age[-1] += young_adults - sum(per_adult_age)
    base = {"Geslacht": "T001038", "BurgerlijkeStaat": "T001019", "RegioS": pad(code), "Perioden": period}
    rows = [{**base, "Leeftijd": "10000   ", "BevolkingOp1Januari_1": total}]
    rows += [
        {**base, "Leeftijd": pad(key), "BevolkingOp1Januari_1": n}
        for (key, _), n in zip(YOUTH_AGES + YOUNG_ADULT_AGES, per_age + per_adult_age, strict=True)
    ]
    rows.append({**base, "Leeftijd": "10033   ", "BevolkingOp1Januari_1": round(young_adults / 5)})
    # A sub-total by sex: outside the dataset (only totals are read), present as in an unfiltered pull.
    rows.append({**base, "Geslacht": "3000    ", "Leeftijd": "10000   ", "BevolkingOp1Januari_1": total // 2})
    return rows


def population_bundle(rows: list[dict], regions: list[tuple[str, str]], statuses: dict[str, str]) -> dict:
    """The 03759ned snapshot of `rows` (population_rows), with RegioS entries from (code, name) pairs."""
    props = [
        dimension_prop(0, "Geslacht", "Geslacht"),
        dimension_prop(1, "Leeftijd", "Leeftijd"),
        dimension_prop(2, "BurgerlijkeStaat", "Burgerlijke staat"),
        dimension_prop(3, "RegioS", "Regio's", "GeoDimension"),
        dimension_prop(4, "Perioden", "Perioden", "TimeDimension"),
        topic(5, "BevolkingOp1Januari_1", "Bevolking op 1 januari", "aantal"),
    ]
    dims = {
        "Geslacht": entries([("T001038", "Totaal mannen en vrouwen"), ("3000    ", "Mannen"), ("4000    ", "Vrouwen")]),
        "Leeftijd": entries([(pad(key), title) for key, title in POPULATION_AGES]),
        "BurgerlijkeStaat": entries([("T001019", "Totaal burgerlijke staat")]),
        "RegioS": entries([(pad(code), name) for code, name in regions]),
        "Perioden": periods(statuses),
    }
    return bundle("03759ned", "Bevolking op 1 januari en gemiddeld; geslacht, leeftijd en regio", props, dims, rows)


def gebieden_row(
    municipality: str, period: str, labour: tuple[str, str], ggd: tuple[str, str], jz: tuple[str, str]
) -> dict:
    """One 85755NED record: the municipality's arbeidsmarktregio, GGD-regio and jeugdzorgregio as (code, name)."""
    return {
        "RegioS": pad(municipality, 10),
        "Perioden": period,
        "Code_1": pad(labour[0], 10),
        "Naam_2": labour[1],
        "Code_3": pad(ggd[0], 10),
        "Naam_4": ggd[1],
        "Code_5": pad(jz[0], 10),
        "Naam_6": jz[1],
    }


def gebieden_bundle(rows: list[dict], municipalities: list[tuple[str, str]], year: int) -> dict:
    """The 85755NED snapshot (Gebieden in Nederland) of `rows` (gebieden_row) for one year."""
    props = [
        dimension_prop(0, "RegioS", "Regio's", "GeoDimension"),
        dimension_prop(1, "Perioden", "Perioden", "TimeDimension"),
    ]
    titles = ["Arbeidsmarktregio", "Arbeidsmarktregio", "GGD-regio", "GGD-regio", "Jeugdzorgregio", "Jeugdzorgregio"]
    for index, group in enumerate(titles, start=1):
        kind = "code" if index % 2 else "naam"
        props.append(topic(index + 1, f"{kind.capitalize()}_{index}", f"{group} {kind}", "", "String"))
    dims = {
        "RegioS": entries([(pad(code), name) for code, name in municipalities]),
        "Perioden": periods({f"{year}JJ00": "Definitief"}),
    }
    return bundle("85755NED", f"Gebieden in Nederland {year}", props, dims, rows)

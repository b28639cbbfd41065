"""Hand-written CBS snapshots (kerncijfers, population, Gebieden in Nederland, Iv3) and region budget CSVs for the
parser-edge and door-versus-gate cases of tests/test_hostile_cbs_budgets.py. Each builder returns the file's bytes;
`edited` swaps a piece of the JSON text for bytes json.dumps would never write (NaN literals, 1e400, deep nesting)."""

from __future__ import annotations

import json

from tests.cbs_documents import IV3_PROPERTIES, bundle, keys, prop

YOUTH_AGES = [(f"{10010 + age:<8}", f"{age} jaar") for age in range(23)]


def edited(document: bytes, old: str, new: str | bytes) -> bytes:
    assert old.encode() in document, old
    return document.replace(old.encode(), new if isinstance(new, bytes) else new.encode(), 1)


def kerncijfers(*rows: dict, periods: dict[str, str | None] | None = None) -> bytes:
    """85099NED, RegioS x Perioden with one measure; a good record for GM0392 first."""
    periods = periods or {"2023JJ00": "Definitief"}
    document = bundle(
        "85099NED",
        [
            prop("RegioS", "GeoDimension"),
            prop("Perioden", "TimeDimension"),
            prop("JongerenMetJeugdhulp_1", "Topic", "Jongeren met jeugdhulp", "aantal"),
        ],
        {
            "RegioS": keys(("GM0392  ", "Haarlem"), ("GM0453  ", "Velsen"), ("JZ11    ", "Zuid-Kennemerland")),
            "Perioden": [
                {"Key": key, "Title": key[:4], **({"Status": status} if status else {})}
                for key, status in periods.items()
            ],
        },
        [youth("GM0392  ", 3150), *rows],
    )
    return json.dumps(document).encode()


def youth(region: str, value: object, period: str = "2023JJ00", **fields: object) -> dict:
    return {"RegioS": region, "Perioden": period, "JongerenMetJeugdhulp_1": value, **fields}


def population(*rows: dict) -> bytes:
    """03759ned for GM0392 with the Leeftijd table's total and single ages 0-22; the total record comes first."""
    document = bundle(
        "03759ned",
        [
            prop("Leeftijd", "Dimension"),
            prop("RegioS", "GeoDimension"),
            prop("Perioden", "TimeDimension"),
            prop("Bevolking_1", "Topic", "Bevolking op 1 januari", "aantal"),
        ],
        {
            "Leeftijd": keys(("10000   ", "Totaal"), *YOUTH_AGES),
            "RegioS": keys(("GM0392  ", "Haarlem")),
            "Perioden": keys(
                ("2024JJ00", "2024"),
                ("2024KW01", "2024 1e kwartaal"),
                status={"2024JJ00": "Definitief", "2024KW01": "Voorlopig"},
            ),
        },
        [persons("10000   ", 162000), *rows],
    )
    return json.dumps(document).encode()


def persons(age_key: str, count: object, period: str = "2024JJ00") -> dict:
    return {"Leeftijd": age_key, "RegioS": "GM0392  ", "Perioden": period, "Bevolking_1": count}


def regions(*rows: dict) -> bytes:
    """85755NED (Gebieden in Nederland 2024) with the JZ code in Code_1 and its name in Naam_2; GM0392 first."""
    document = bundle(
        "85755NED",
        [
            prop("RegioS", "GeoDimension"),
            prop("Perioden", "TimeDimension"),
            prop("Code_1", "Topic", "Jeugdzorgregio code"),
            prop("Naam_2", "Topic", "Jeugdzorgregio naam"),
        ],
        {
            "RegioS": keys(("GM0392  ", "Haarlem"), ("GM0453  ", "Velsen"), ("GM12    ", "Twaalf")),
            "Perioden": keys(("2024JJ00", "2024"), status={"2024JJ00": "Definitief"}),
        },
        [region("GM0392  "), *rows],
    )
    return json.dumps(document).encode()


def region(municipality: str, code: object = "JZ11      ", name: object = "Zuid-Kennemerland   ") -> dict:
    return {"RegioS": municipality, "Perioden": "2024JJ00", "Code_1": code, "Naam_2": name}


def iv3(*rows: dict) -> bytes:
    """An Iv3 (CBS dataderden) snapshot, x EUR 1,000; a good 6.73a lasten figure of GM0392 for 2024 first."""
    document = bundle(
        "45046NED",
        IV3_PROPERTIES,
        {
            "TaakveldBalanspost": keys(("T01 ", "6.73a Pleegzorg"), ("T02 ", "6.72a Jeugdhulp begeleiding")),
            "Categorie": keys(("L ", "Lasten"), ("B ", "Baten")),
            "Gemeenten": keys(("GM0392  ", "Haarlem"), ("GM0453  ", "Velsen")),
            "Verslagsoort": keys(("REK ", "Jaarrekening"), ("REK2", "Jaarrekening (herzien)")),
            "Perioden": keys(
                ("2012JJ00", "2012"),
                ("2024JJ00", "2024"),
                ("2024KW01", "2024 1e kwartaal"),
                status={"2012JJ00": "Definitief", "2024JJ00": "Voorlopig", "2024KW01": "Voorlopig"},
            ),
        },
        [iv3_figure("GM0392  ", 850), *rows],
    )
    return json.dumps(document).encode()


def iv3_figure(
    municipality: str, first: object, period: str = "2024JJ00", taakveld: str = "T01 ", report: str = "REK "
) -> dict:
    return {
        "TaakveldBalanspost": taakveld,
        "Categorie": "L ",
        "Gemeenten": municipality,
        "Verslagsoort": report,
        "Perioden": period,
        "k_1ePlaatsing_1": first,
        "k_2ePlaatsing_2": None,
    }


def budget(*rows: str, header: str = "gemeente;jaar;perceel;bedrag;toelichting", encoding: str = "utf-8") -> bytes:
    """A region budget CSV (';' with decimal comma) with one good row first (line 2)."""
    return "\r\n".join([header, "GM0392;2024;Ambulant;1.250.000,00;", *rows, ""]).encode(encoding)


def youth_population(total: int, each_age: int) -> bytes:
    """03759ned for GM0392 in 2024: the total and all 23 single ages 0-22, each `each_age` persons."""
    return population(*[persons(key, each_age) for key, _ in YOUTH_AGES]).replace(b"162000", str(total).encode())


def costs(*measures: tuple[str, str], extra_dimension: bool = False) -> bytes:
    """83454NED for GM0392 in 2023 with the given (key, title) measures, each 100 (x EUR 1,000)."""
    dimensions = {
        "RegioS": keys(("GM0392  ", "Haarlem")),
        "Perioden": keys(("2023JJ00", "2023"), status={"2023JJ00": "Definitief"}),
    }
    record = {"RegioS": "GM0392  ", "Perioden": "2023JJ00", **{key: 100 for key, _ in measures}}
    properties = [prop("RegioS", "GeoDimension"), prop("Perioden", "TimeDimension")]
    if extra_dimension:
        properties.append(prop("Financiering", "Dimension"))
        dimensions["Financiering"] = keys(("T001", "Totaal"))
        record["Financiering"] = "T001"
    properties += [prop(key, "Topic", title, "x 1 000 euro") for key, title in measures]
    return json.dumps(bundle("83454NED", properties, dimensions, [record])).encode()

"""Hand-written CBS OData v3 answers and snapshot bundles for the tests (independent of the sample generator)."""

from __future__ import annotations

import json
from pathlib import Path


def answer(rows: list[dict]) -> dict:
    return {"odata.metadata": "http://127.0.0.1/odata/$metadata", "value": rows}


def prop(key: str, kind: str, title: str = "", unit: str | None = None) -> dict:
    entry = {"Key": key, "Type": kind, "Title": title or key}
    if unit is not None:
        entry["Unit"] = unit
    return entry


def keys(*pairs: tuple[str, str], status: dict[str, str] | None = None) -> list[dict]:
    return [
        {"Key": key, "Title": title, "Description": "", **({"Status": status[key]} if status else {})}
        for key, title in pairs
    ]


# The properties of an Iv3 (45046NED, CBS dataderden) snapshot: its dimensions and the two placements, x EUR 1,000.
IV3_PROPERTIES = [
    prop("TaakveldBalanspost", "Dimension"),
    prop("Categorie", "Dimension"),
    prop("Gemeenten", "GeoDimension"),
    prop("Verslagsoort", "Dimension"),
    prop("Perioden", "TimeDimension"),
    prop("k_1ePlaatsing_1", "Topic", "1e plaatsing", "x 1 000 euro"),
    prop("k_2ePlaatsing_2", "Topic", "2e plaatsing", "x 1 000 euro"),
]


def bundle(table_id: str, properties: list[dict], dimensions: dict[str, list[dict]], rows: list[dict]) -> dict:
    document = {
        "TableInfos": answer([{"Identifier": table_id, "Title": f"test table {table_id}"}]),
        "DataProperties": answer(properties),
        "TypedDataSet": answer([{"ID": index, **row} for index, row in enumerate(rows)]),
    }
    document.update({name: answer(entries) for name, entries in dimensions.items()})
    return document


def kerncijfers(rows: list[dict], periods: dict[str, str] | None = None) -> dict:
    """An 85099NED-shaped table: RegioS x Perioden with two measures; keys padded as CBS pads them."""
    periods = periods or {"2023JJ00": "Definitief", "2024HJ01": "Voorlopig"}
    return bundle(
        "85099NED",
        [
            prop("RegioS", "GeoDimension"),
            prop("Perioden", "TimeDimension"),
            prop("JongerenMetJeugdhulp_1", "Topic", "Jongeren met jeugdhulp", "aantal"),
            prop("JongerenMetJeugdhulpRelatief_2", "Topic", "Jongeren met jeugdhulp, relatief", "%"),
        ],
        {
            "RegioS": keys(("GM0392  ", "Haarlem"), ("JZ11    ", "Zuid-Kennemerland"), ("NL01    ", "Nederland")),
            "Perioden": keys(*[(key, key) for key in periods], status=periods),
        },
        rows,
    )


def write(path: Path, document: dict | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(document if isinstance(document, str) else json.dumps(document), encoding="utf-8")
    return path

"""Hand-written hostile and broken inputs for tests/test_hostile_input.py: iJw start/stop messages, CBS snapshots
and region budget CSVs (JW323 documents come from tests/jw323_documents.py). Each builder returns the file's bytes."""

from __future__ import annotations

import json

from tests.jw323_documents import BASIS_NS, VALID_BSN

CARE_EVENT_MESSAGES = {"JW305": ("438", "StartProduct"), "JW307": ("440", "StopProduct")}


def care_event(
    message: str,
    allocation: int = 700001,
    start: str = "2024-03-04",
    status: str = "1",
    end: str = "2024-06-28",
    end_reason: str = "31",
    product_code: str = "45A04",
    bsn: str = VALID_BSN,
) -> bytes:
    """A JW305 (start) or JW307 (stop) with one product from provider 98000011 to gemeente 0392."""
    berichtcode, record = CARE_EVENT_MESSAGES[message]
    p = message.lower()
    stop_fields = (
        f"<{p}:RedenBeeindiging>{end_reason}</{p}:RedenBeeindiging><{p}:Einddatum>{end}</{p}:Einddatum>"
        if message == "JW307"
        else ""
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<{p}:Bericht xmlns:{p}="http://www.istandaarden.nl/ijw/3_2/{p}/schema" xmlns:ijw="{BASIS_NS}">
  <{p}:Header>
    <{p}:BerichtCode>{berichtcode}</{p}:BerichtCode><{p}:BerichtVersie>3</{p}:BerichtVersie>
    <{p}:BerichtSubversie>2</{p}:BerichtSubversie><{p}:Afzender>98000011</{p}:Afzender><{p}:Ontvanger>0392</{p}:Ontvanger>
    <{p}:BerichtIdentificatie><ijw:Identificatie>E1</ijw:Identificatie><ijw:Dagtekening>2024-07-01</ijw:Dagtekening></{p}:BerichtIdentificatie>
  </{p}:Header>
  <{p}:Client>
    <{p}:Bsn>{bsn}</{p}:Bsn>
    <{p}:{record}en>
      <{p}:{record}>
        <{p}:ToewijzingNummer>{allocation}</{p}:ToewijzingNummer>
        <{p}:Product><ijw:Categorie>45</ijw:Categorie><ijw:Code>{product_code}</ijw:Code></{p}:Product>
        <{p}:ToewijzingIngangsdatum>2024-03-01</{p}:ToewijzingIngangsdatum>
        <{p}:Begindatum>{start}</{p}:Begindatum>{stop_fields}
        <{p}:StatusAanlevering>{status}</{p}:StatusAanlevering>
      </{p}:{record}>
    </{p}:{record}en>
  </{p}:Client>
</{p}:Bericht>
""".encode()


def _answer(rows: list[dict]) -> dict:
    return {"odata.metadata": "http://127.0.0.1/odata/$metadata", "value": rows}


def kerncijfers_snapshot(rows: list[dict], time_dimension: bool = True) -> bytes:
    """An 85099NED snapshot (RegioS x Perioden, one measure) with the given TypedDataSet records."""
    properties = [
        {"Key": "RegioS", "Type": "GeoDimension", "Title": "Regio's"},
        {"Key": "JongerenMetJeugdhulp_1", "Type": "Topic", "Title": "Jongeren met jeugdhulp", "Unit": "aantal"},
    ]
    if time_dimension:
        properties.insert(1, {"Key": "Perioden", "Type": "TimeDimension", "Title": "Perioden"})
    document = {
        "TableInfos": _answer([{"Identifier": "85099NED", "Title": "Jeugdhulp; kerncijfers"}]),
        "DataProperties": _answer(properties),
        "TypedDataSet": _answer([{"ID": index, **row} for index, row in enumerate(rows)]),
        "RegioS": _answer([{"Key": "GM0392  ", "Title": "Haarlem"}, {"Key": "GM0453  ", "Title": "Velsen"}]),
        "Perioden": _answer([{"Key": "2023JJ00", "Title": "2023", "Status": "Definitief"}]),
    }
    return json.dumps(document).encode()


def kerncijfer(region: str = "GM0392  ", value: object = 3150, **fields: object) -> dict:
    return {"RegioS": region, "Perioden": "2023JJ00", "JongerenMetJeugdhulp_1": value, **fields}


def budget_csv(*rows: str, header: str = "gemeente;jaar;perceel;bedrag") -> bytes:
    """A region budget CSV (';' with decimal comma), one good row first."""
    return "\n".join([header, "GM0392;2024;Ambulant;1.250.000,00", *rows, ""]).encode()

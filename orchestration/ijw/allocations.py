"""JW301 toewijzing (iJw 3.2, BerichtCode 436): one ToegewezenProduct becomes one Allocation.

From the client only the pseudonym, birth year and month, and gender are kept; names, addresses, contact data and
relations are never read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from orchestration.ijw.reader import (
    Client,
    ElementFields,
    Header,
    MessageSpec,
    ParsedFile,
    b,
    checked_code,
    non_negative_int,
    optional_date,
    parse_date,
    required,
)
from orchestration.ijw.safe_xml import message_namespace

_NS = message_namespace("JW301")


def _m(local: str) -> str:
    return f"{{{_NS}}}{local}"


@dataclass(frozen=True)
class Allocation:
    client_key: str
    birth_year: int | None
    birth_month: int | None
    gender_code: str | None
    municipality_code: str
    provider_agb: str
    message_id: str
    message_date: dt.date
    allocation_number: int
    provider_reference: str | None
    product_category: str | None
    product_code: str | None
    allocated_on: dt.date
    valid_from: dt.date
    valid_to: dt.date | None
    change_reason_code: str | None
    volume: int | None
    unit_code: str | None
    frequency_code: str | None
    budget_cents: int | None
    source_line: int

    @property
    def record_ref(self) -> str:
        return f"toewijzing {self.allocation_number}"


_CATEGORIE, _CODE = b("Categorie"), b("Code")
_VOLUME, _EENHEID, _FREQUENTIE = b("Volume"), b("Eenheid"), b("Frequentie")


def product_fields(record: ElementFields, product_tag: str) -> tuple[str | None, str | None]:
    """(category, code) of a CDT_Product, both checked against the code lists when present."""
    if product_tag not in record:
        return None, None
    category = checked_code(
        record.get((product_tag, _CATEGORIE)),
        "codelists/jz020_product_categories",
        "PRODUCT_CATEGORY_UNKNOWN",
        "Categorie",
    )
    code = record.get((product_tag, _CODE))
    if code is not None:
        checked_code(code, "reference/product_codes", "PRODUCT_CODE_UNKNOWN", "Product Code")
    return category, code


def volume_fields(record: ElementFields, omvang_tag: str) -> tuple[int | None, str | None, str | None]:
    """(volume, unit, frequency) of a CDT_Omvang, when present."""
    if omvang_tag not in record:
        return None, None, None
    volume = non_negative_int(record.get((omvang_tag, _VOLUME)) or "", "Omvang Volume")
    unit = checked_code(record.get((omvang_tag, _EENHEID)), "codelists/wj756_units", "UNIT_UNKNOWN", "Omvang Eenheid")
    return volume, unit, record.get((omvang_tag, _FREQUENTIE))


def _record_ref(record: ElementFields, _parsed: ParsedFile) -> str:
    return f"toewijzing {record.get(_m('ToewijzingNummer')) or '?'}"


def _parse(record: ElementFields, header: Header, client: Client, _parsed: ParsedFile) -> Allocation:
    category, code = product_fields(record, _m("Product"))
    volume, unit, frequency = volume_fields(record, _m("Omvang"))
    budget = record.get(_m("Budget"))
    return Allocation(
        client_key=client.client_key or "",
        birth_year=client.birth_date.year if client.birth_date else None,
        birth_month=client.birth_date.month if client.birth_date else None,
        gender_code=client.gender_code,
        municipality_code=header.municipality_code,
        provider_agb=header.provider_agb,
        message_id=header.message_id,
        message_date=header.message_date,
        allocation_number=non_negative_int(
            required(record.get(_m("ToewijzingNummer")), "ToewijzingNummer"), "ToewijzingNummer"
        ),
        provider_reference=record.get(_m("ReferentieAanbieder")),
        product_category=category,
        product_code=code,
        allocated_on=parse_date(record.get(_m("Toewijzingsdatum")), "Toewijzingsdatum"),
        valid_from=parse_date(record.get(_m("Ingangsdatum")), "Ingangsdatum"),
        valid_to=optional_date(record.get(_m("Einddatum")), "Einddatum"),
        change_reason_code=record.get(_m("RedenWijziging")),
        volume=volume,
        unit_code=unit,
        frequency_code=frequency,
        budget_cents=None if budget is None else non_negative_int(budget, "Budget"),
        source_line=record.sourceline,
    )


SPEC = MessageSpec(
    message_type="JW301",
    berichtcode="436",
    record_tag="ToegewezenProduct",
    sent_by_municipality=True,
    parse_record=_parse,
    record_ref=_record_ref,
    # RedenWijziging and Frequentie are stored as sent, unchecked against their code lists: a BSN there is kept out too.
    identifier_fields=(
        _m("ToewijzingNummer"),
        _m("ReferentieAanbieder"),
        _m("RedenWijziging"),
        (_m("Omvang"), _FREQUENTIE),
    ),
)

"""JW301 toewijzing (iJw 3.2, BerichtCode 436): one ToegewezenProduct becomes one Allocation.

From the client only the pseudonym, birth year and month, and gender are kept; names, addresses, contact data and
relations are never read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from orchestration.ijw.codelists import column
from orchestration.ijw.pseudonym import IDENTIFIER_PSEUDONYM_FLOOR
from orchestration.ijw.reader import (
    Client,
    ElementFields,
    Header,
    MessageSpec,
    b,
    bounded_int,
    checked_code,
    optional_date,
    parse_date,
    required,
)
from orchestration.ijw.safe_xml import message_namespace
from orchestration.warehouse.load import RecordError

# The ranges of the iJw number types (basisschema.xsd), narrowed where the raw tables' suites are stricter: an
# allocation number (LDT_Nummer) from 1, volume and budget (LDT_Volume, LDT_Budget) up to 99,999,999.
MAX_NUMBER = 999_999_999
MAX_VOLUME = MAX_BUDGET_CENTS = 99_999_999
GENDERS = frozenset({"0", "1", "2"})  # LDT_Geslacht (COD046)
# Jeugdwet care ends at 23 at the latest (verlengde jeugdhulp), so no client of the Jeugdwet (2015-) was born before
# 1990; the raw suites and dim_client hold birth years to that bound.
EARLIEST_BIRTH_DATE = dt.date(1990, 1, 1)

_NS = message_namespace("JW301")


def _m(local: str) -> str:
    return f"{{{_NS}}}{local}"


@dataclass(frozen=True)
class ClientRecord:
    """The leading columns of a record about one client (JW301, JW315): who the client is and which message said so.
    Subclass fields follow these, so the raw tables keep this order."""

    client_key: str
    birth_year: int | None
    birth_month: int | None
    gender_code: str | None
    municipality_code: str
    provider_agb: str
    message_id: str


@dataclass(frozen=True)
class Allocation(ClientRecord):
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
    source_record: int  # ElementFields.source_columns

    @property
    def record_ref(self) -> str:
        return f"toewijzing {self.allocation_number}"


_CATEGORIE, _CODE = b("Categorie"), b("Code")
_VOLUME, _EENHEID, _FREQUENTIE = b("Volume"), b("Eenheid"), b("Frequentie")


def client_fields(client: Client) -> tuple[str, int | None, int | None, str | None]:
    """(client_key, birth year, birth month, gender) of the Client a record sits in: its Bsn is required (the XSD),
    its birth date and gender as the raw suites and dim_client hold them."""
    if client.client_key is None:
        raise RecordError("LINE_INCOMPLETE", "the record's Client has no Bsn")
    birth = client.birth_date
    if birth is not None and not EARLIEST_BIRTH_DATE <= birth <= dt.date.today():
        raise RecordError(
            "BIRTH_DATE_OUT_OF_RANGE", f"Geboortedatum {birth} is not between {EARLIEST_BIRTH_DATE} and today"
        )
    if client.gender_code is not None and client.gender_code not in GENDERS:
        raise RecordError("GENDER_UNKNOWN", f"Geslacht {client.gender_code!r} is not 0, 1 or 2 (COD046)")
    if birth is None:
        return client.client_key, None, None, client.gender_code
    return client.client_key, birth.year, birth.month, client.gender_code


def client_record_columns(client: Client, header: Header) -> dict[str, str | int | None]:
    """The ClientRecord columns of a record: its Client checked by client_fields, its message's sender and id."""
    client_key, birth_year, birth_month, gender = client_fields(client)
    return {
        "client_key": client_key,
        "birth_year": birth_year,
        "birth_month": birth_month,
        "gender_code": gender,
        "municipality_code": header.municipality_code,
        "provider_agb": header.provider_agb,
        "message_id": header.message_id,
    }


def ldt_number(text: str, label: str, low: int = 1) -> int:
    """A number within LDT_Nummer, or the keyed pseudonym that replaced a BSN written there (pseudonym.py)."""
    if len(text) == len(str(IDENTIFIER_PSEUDONYM_FLOOR)) and text.isdigit():
        return bounded_int(text, label, IDENTIFIER_PSEUDONYM_FLOOR, 10 * IDENTIFIER_PSEUDONYM_FLOOR - 1)
    return bounded_int(text, label, low, MAX_NUMBER)


def allocation_number(value: str | None) -> int:
    return ldt_number(required(value, "ToewijzingNummer"), "ToewijzingNummer")


def end_not_before_start(start: dt.date, end: dt.date | None, start_label: str, end_label: str) -> None:
    if end is not None and end < start:
        raise RecordError("END_BEFORE_START", f"{end_label} {end} precedes {start_label} {start}")


def product_fields(record: ElementFields, product_tag: str) -> dict[str, str | None]:
    """The product_category and product_code columns of a CDT_Product, both checked against the code lists when
    present, and the code against the category the product code list puts it in."""
    if product_tag not in record:
        return {"product_category": None, "product_code": None}
    category = checked_code(
        record.get((product_tag, _CATEGORIE)),
        "codelists/jz020_product_categories",
        "PRODUCT_CATEGORY_UNKNOWN",
        "Categorie",
    )
    code = record.get((product_tag, _CODE))
    if code is not None:
        checked_code(code, "reference/product_codes", "PRODUCT_CODE_UNKNOWN", "Product Code")
        # A code the list names without a category (its group headings, 45A00) has none to contradict.
        listed = column("reference/product_codes", "product_category_code")[code]
        if listed and listed != category:
            raise RecordError(
                "PRODUCT_NOT_IN_CATEGORY", f"Product Code {code} is in category {listed}, not in Categorie {category}"
            )
    return {"product_category": category, "product_code": code}


def volume_fields(record: ElementFields, omvang_tag: str) -> dict[str, int | str | None]:
    """The volume, unit_code and frequency_code columns of a CDT_Omvang (None where it is absent)."""
    if omvang_tag not in record:
        return {"volume": None, "unit_code": None, "frequency_code": None}
    volume = bounded_int(record.get((omvang_tag, _VOLUME)) or "", "Omvang Volume", 0, MAX_VOLUME)
    unit = checked_code(record.get((omvang_tag, _EENHEID)), "codelists/wj756_units", "UNIT_UNKNOWN", "Omvang Eenheid")
    return {"volume": volume, "unit_code": unit, "frequency_code": record.get((omvang_tag, _FREQUENTIE))}


def budget_cents(value: str | None) -> int | None:
    return None if value is None else bounded_int(value, "Budget", 0, MAX_BUDGET_CENTS, "AMOUNT_OUT_OF_RANGE")


def _parse(record: ElementFields, header: Header, client: Client) -> Allocation:
    client_columns = client_record_columns(client, header)
    number = allocation_number(record.get(_m("ToewijzingNummer")))
    product = product_fields(record, _m("Product"))
    volume = volume_fields(record, _m("Omvang"))
    valid_from = parse_date(record.get(_m("Ingangsdatum")), "Ingangsdatum")
    valid_to = optional_date(record.get(_m("Einddatum")), "Einddatum")
    end_not_before_start(valid_from, valid_to, "Ingangsdatum", "Einddatum")
    allocated_on = parse_date(record.get(_m("Toewijzingsdatum")), "Toewijzingsdatum")
    budget = budget_cents(record.get(_m("Budget")))
    return Allocation(
        **client_columns,
        message_date=header.message_date,
        allocation_number=number,
        provider_reference=record.get(_m("ReferentieAanbieder")),
        **product,
        allocated_on=allocated_on,
        valid_from=valid_from,
        valid_to=valid_to,
        change_reason_code=record.get(_m("RedenWijziging")),
        **volume,
        budget_cents=budget,
        **record.source_columns(),
    )


SPEC = MessageSpec(
    "JW301",
    "436",
    "ToegewezenProduct",
    sent_by_municipality=True,
    parse_record=_parse,
    record_ref_fields=(("toewijzing", _m("ToewijzingNummer")),),
    # RedenWijziging and Frequentie are stored as sent, unchecked against their code lists: a BSN there is kept out too.
    identifier_fields=(
        _m("ToewijzingNummer"),
        _m("ReferentieAanbieder"),
        _m("RedenWijziging"),
        (_m("Omvang"), _FREQUENTIE),
    ),
    period_field=_m("Ingangsdatum"),
)

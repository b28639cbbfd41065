"""JW323 declaratie (iJw 3.2, BerichtCode 490): one Prestatie becomes one DeclarationLine.

This module reads a declaration: its Declaratie fields, each Prestatie's field texts (PrestatieFields), and checks the
file rules after the last line: TR358 (total = signed sum of lines), CS340 (declaration period is one calendar month)
and no period or signature in the future. The line rules (TR346, CS337, CS100, FUTURE_DATE, LDT_Bedrag, the code
lists, the BSN) are decided per batch in SQL (orchestration/warehouse/declaration_batch.py); the rules that need
earlier files (TR314, TR389, CD060) live in declaration_rules.py.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import NamedTuple

from lxml import etree

from orchestration.ijw.pseudonym import Pseudonymiser
from orchestration.ijw.reader import MessageSpec, b, non_negative_int, parse_date, text
from orchestration.ijw.safe_xml import MessageRejected, message_namespace
from orchestration.warehouse.load import ParsedFile, RecordError

MESSAGE_TYPE = "JW323"
_NS = message_namespace(MESSAGE_TYPE)
EARLIEST_DATE = dt.date(2021, 1, 1)  # CS100: iJw 3.x declarations start on 1 January 2021
MAX_AMOUNT_CENTS = 99_999_999  # LDT_Bedrag (basisschema.xsd): maxInclusive 99999999
EURO_UNIT = "83"
DECLARATION_FIELDS = frozenset({"declaration_number", "declaration_period", "declaration_date"})
"""What a line needs from the Declaratie before it (DeclaratieNummer, DeclaratiePeriode, DeclaratieDagtekening)."""
MINUTE_UNIT = "01"


def _m(local: str) -> str:
    return f"{{{_NS}}}{local}"


@dataclass(frozen=True, kw_only=True)
class Prestatie:
    """One Prestatie's values: what the generator's jw323_writer writes and a DeclarationLine reads back."""

    reference_number: str
    previous_reference_number: str | None = None
    """The debit a credit (correction) cancels."""
    allocation_number: int
    product_category: str
    product_code: str
    period_start: dt.date
    period_end: dt.date
    volume: int
    unit_code: str
    tariff_cents: int | None
    amount_cents: int
    """Signed: a credit is negative."""


@dataclass(frozen=True)
class _DeclarationHeader:
    client_key: str
    municipality_code: str
    provider_agb: str
    message_id: str
    declaration_number: str
    declaration_period_start: dt.date
    declaration_period_end: dt.date
    declaration_date: dt.date


@dataclass(frozen=True)
class DeclarationLine(Prestatie, _DeclarationHeader):
    """A row of raw.ijw_declaration_lines (its columns, in order, are these fields': the header's, the Prestatie's,
    then these)."""

    debit_credit: str
    source_line: int
    source_record: int  # ElementFields.source_columns

    @property
    def record_ref(self) -> str:
        return f"{self.declaration_number}/{self.reference_number}"

    @property
    def is_credit(self) -> bool:
        return self.debit_credit == "C"


class PrestatieFields(NamedTuple):
    """The stripped texts of one Prestatie as an XPath string() of each field's path reads them (None where absent or
    empty, "" where only whitespace), and how many ProductPeriode it has (period_elements)."""

    reference: str | None
    previous_reference: str | None
    allocation_number: str | None
    category: str | None
    product_code: str | None
    period_elements: str | None
    period_start: str | None
    period_end: str | None
    volume: str | None
    unit: str | None
    tariff: str | None
    amount: str | None
    debit_credit: str | None
    sourceline: int
    source_record: int


# Where each PrestatieFields slot sits: a child of Prestatie, or a child of one of its compound children. Walking the
# children with these lookups costs a fraction of path evaluation per field.
_FIELD_SLOTS = {
    _m("ToewijzingNummer"): 2,
    _m("ProductCategorie"): 3,
    _m("ProductCode"): 4,
    _m("GeleverdVolume"): 8,
    _m("Eenheid"): 9,
    _m("ProductTarief"): 10,
}
_PERIOD = _m("ProductPeriode")
_PART_SLOTS = {
    _m("ProductReferentie"): {b("ReferentieNummer"): 0, b("VorigReferentieNummer"): 1},
    _PERIOD: {b("Begindatum"): 6, b("Einddatum"): 7},
    _m("IngediendBedrag"): {b("Bedrag"): 11, b("DebetCredit"): 12},
}
_PERIOD_COUNT_SLOT = 5


def _prestatie_fields(prestatie: etree._Element, source_record: int) -> PrestatieFields:
    """The first occurrence of each field in document order (as an XPath string() of its path reads it), stripped."""
    values: list[str | None] = [None] * 13
    periods = 0
    for child in prestatie:
        tag = child.tag
        slot = _FIELD_SLOTS.get(tag)
        if slot is not None:
            if values[slot] is None:
                # The XPath string value: the text, or every descendant's text when (against the XSD) there are any.
                values[slot] = "".join(child.itertext()) if len(child) else child.text or ""
            continue
        parts = _PART_SLOTS.get(tag)
        if parts is None:
            continue
        periods += tag == _PERIOD
        for part in child:
            slot = parts.get(part.tag)
            if slot is not None and values[slot] is None:
                values[slot] = "".join(part.itertext()) if len(part) else part.text or ""
    values[_PERIOD_COUNT_SLOT] = str(periods)
    stripped = [value.strip() if value else None for value in values]
    return PrestatieFields(*stripped, sourceline=prestatie.sourceline or 0, source_record=source_record)


def _period(start_text: str | None, end_text: str | None, label: str) -> tuple[dt.date, dt.date]:
    start = parse_date(start_text, f"{label} Begindatum")
    end = parse_date(end_text, f"{label} Einddatum")
    if end < start:
        raise RecordError("DATE_INVALID", f"{label} ends ({end}) before it starts ({start})")
    return start, end


def _declaration_field(reader):
    def handle(element: etree._Element, parsed: ParsedFile, pseudonymiser: Pseudonymiser) -> None:
        try:
            reader(element, parsed.state, pseudonymiser)
        except RecordError as error:
            raise MessageRejected("HEADER_INVALID", f"{etree.QName(element).localname}: {error}") from error

    return handle


def _read_number(element, state, pseudonymiser):
    state["declaration_number"] = pseudonymiser.identifier((element.text or "").strip())


def _read_period(element, state, _pseudonymiser):
    state["declaration_period"] = _period(
        text(element, b("Begindatum")), text(element, b("Einddatum")), "DeclaratiePeriode"
    )


def _read_date(element, state, _pseudonymiser):
    state["declaration_date"] = parse_date(element.text, "DeclaratieDagtekening")


def _read_total(element, state, _pseudonymiser):
    total = non_negative_int(text(element, b("TotaalBedrag")) or "", "TotaalBedrag")
    state["declared_total_cents"] = -total if text(element, b("DebetCredit")) == "C" else total


def check_declaration_period(declaration: dict) -> None:
    """CS340: the declaration period is one calendar month."""
    start, end = declaration.get("declaration_period") or (None, None)
    if start is not None and (
        start.day != 1 or end != start.replace(day=calendar.monthrange(start.year, start.month)[1])
    ):
        raise MessageRejected("CS340", f"DeclaratiePeriode {start}..{end} is not one calendar month")


def check_declaration_dates(declaration: dict) -> None:
    """A declaration is signed (TR135: DeclaratieDagtekening not after the system date) for a period that has begun:
    a period or signature in the future claims care not given yet."""
    today = dt.date.today()
    start, _end = declaration.get("declaration_period") or (None, None)
    if start is not None and start > today:
        raise MessageRejected("FUTURE_DATE", f"DeclaratiePeriode starts {start}, after today ({today})")
    signed = declaration.get("declaration_date")
    if signed is not None and signed > today:
        raise MessageRejected("FUTURE_DATE", f"DeclaratieDagtekening {signed} is after today ({today})")


def _check_file(parsed: ParsedFile) -> None:
    """File-level rules, checked after every line is read so a rejected file still accounts for all its cents.

    A message without a Declaratie (its body in another namespace, say) would load as an empty file with its declared
    cents gone: HEADER_INVALID. CS340: the declaration period is one calendar month; it and the signature are not in
    the future (FUTURE_DATE). TR358: the declared total equals the signed sum of every line read, accepted or not.
    """
    if not parsed.state.keys() >= {*DECLARATION_FIELDS, "declared_total_cents"}:
        raise MessageRejected(
            "HEADER_INVALID",
            "no Declaratie with DeclaratieNummer, DeclaratiePeriode, DeclaratieDagtekening and TotaalIngediendBedrag "
            "in the JW323 namespace",
        )
    check_declaration_period(parsed.state)
    check_declaration_dates(parsed.state)
    declared = parsed.state.get("declared_total_cents")
    if declared is not None and declared != parsed.amount_cents_read:
        raise MessageRejected(
            "TR358", f"TotaalIngediendBedrag {declared} != signed sum of the lines {parsed.amount_cents_read}"
        )


SPEC = MessageSpec(
    MESSAGE_TYPE,
    "490",
    "Prestatie",
    sent_by_municipality=False,
    record_fields=_prestatie_fields,
    identifier_fields=("reference", "previous_reference", "allocation_number"),
    message_fields={
        "DeclaratieNummer": _declaration_field(_read_number),
        "DeclaratiePeriode": _declaration_field(_read_period),
        "DeclaratieDagtekening": _declaration_field(_read_date),
        "TotaalIngediendBedrag": _declaration_field(_read_total),
    },
    check_file=_check_file,
)

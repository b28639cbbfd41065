"""JW323 declaratie (iJw 3.2, BerichtCode 490): one Prestatie becomes one DeclarationLine.

The generic reader (reader.py) reads its Declaratie fields (SPEC.message_fields) and each Prestatie's field texts; the
line rules are decided per batch in SQL like every type's (_line_rules, warehouse/record_rules.py), the file rules
after the last line (_check_file). The rules that need earlier files (TR314, TR389, CD060) live in
orchestration/warehouse/history_rules.py.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import NamedTuple

from lxml import etree

from orchestration.ijw.reader import MAX_NUMBER_DIGITS, ElementFields, MessageSpec, b, in_message, parse_date, text
from orchestration.ijw.safe_xml import MessageRejected
from orchestration.warehouse.load import ParsedFile, RecordError
from orchestration.warehouse.record_rules import RecordRules, Rules

MESSAGE_TYPE = "JW323"
_m = in_message(MESSAGE_TYPE)
EARLIEST_DATE = dt.date(2021, 1, 1)  # CS100: iJw 3.x declarations start on 1 January 2021
MAX_AMOUNT_CENTS = 99_999_999  # LDT_Bedrag (basisschema.xsd): maxInclusive 99999999
EURO_UNIT = "83"
DECLARATION_FIELDS = {
    "declaration_number": "varchar",
    "declaration_period_start": "date",
    "declaration_period_end": "date",
    "declaration_date": "date",
}
"""What a line takes from the Declaratie before it (DeclaratieNummer, DeclaratiePeriode, DeclaratieDagtekening)."""
MINUTE_UNIT = "01"


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
    source_record: int

    @property
    def record_ref(self) -> str:
        return f"{self.declaration_number}/{self.reference_number}"


class DeclaredLine(NamedTuple):
    """What the cross-file rules, the quarantine and the ledger need of a line the batch query accepted (RecordRules.
    staged_as): the rest stays in the warehouse until it is inserted."""

    provider_agb: str
    municipality_code: str
    client_key: str
    declaration_number: str
    reference_number: str
    previous_reference_number: str | None
    allocation_number: int
    product_code: str
    period_start: dt.date
    debit_credit: str
    amount_cents: int
    source_line: int
    source_record: int
    record_ref = DeclarationLine.record_ref


# Where each text sits: a child of Prestatie, or a child of one of its compound children. Walking the children with
# these lookups costs a fraction of path evaluation per field.
_FIELDS = {
    _m("ToewijzingNummer"): "allocation_number",
    _m("ProductCategorie"): "product_category",
    _m("ProductCode"): "product_code",
    _m("GeleverdVolume"): "volume",
    _m("Eenheid"): "unit_code",
    _m("ProductTarief"): "tariff_cents",
}
_PERIOD = _m("ProductPeriode")
_PART_FIELDS = {
    _m("ProductReferentie"): {
        b("ReferentieNummer"): "reference_number",
        b("VorigReferentieNummer"): "previous_reference_number",
    },
    _PERIOD: {b("Begindatum"): "period_start", b("Einddatum"): "period_end"},
    _m("IngediendBedrag"): {b("Bedrag"): "amount", b("DebetCredit"): "debit_credit"},
}
_TEXTS = ("period_elements", *_FIELDS.values(), *(name for parts in _PART_FIELDS.values() for name in parts.values()))
# The same places as positions in _TEXTS: a list filled by position costs less than a dict filled by name.
_FIELD_SLOTS = {tag: _TEXTS.index(name) for tag, name in _FIELDS.items()}
_PART_SLOTS = {tag: {part: _TEXTS.index(name) for part, name in parts.items()} for tag, parts in _PART_FIELDS.items()}


def _prestatie_fields(prestatie: etree._Element, source_record: int) -> ElementFields:
    """The stripped texts of one Prestatie as an XPath string() of each field's path reads them: the first occurrence
    in document order (None where absent or empty, "" where only whitespace), and how many ProductPeriode it has."""
    values: list[str | None] = [None] * len(_TEXTS)
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
    values[0] = str(periods)
    fields = ElementFields(zip(_TEXTS, [value.strip() if value else None for value in values], strict=True))
    fields.sourceline, fields.source_record = prestatie.sourceline or 0, source_record
    return fields


def _read_number(element, state, pseudonymiser):
    state["declaration_number"] = pseudonymiser.identifier((element.text or "").strip())


def _read_period(element, state, _pseudonymiser):
    start = parse_date(text(element, b("Begindatum")), "DeclaratiePeriode Begindatum")
    end = parse_date(text(element, b("Einddatum")), "DeclaratiePeriode Einddatum")
    if end < start:
        raise RecordError("DATE_INVALID", f"DeclaratiePeriode ends ({end}) before it starts ({start})")
    state["declaration_period_start"], state["declaration_period_end"] = start, end


def _read_date(element, state, _pseudonymiser):
    state["declaration_date"] = parse_date(element.text, "DeclaratieDagtekening")


def _read_total(element, state, _pseudonymiser):
    # Read as the record rules read a number (record_rules.Rules.number).
    digits = text(element, b("TotaalBedrag")) or ""
    if not (digits.isascii() and digits.isdigit()):
        raise RecordError("NUMBER_INVALID", f"TotaalBedrag {digits!r} is not a non-negative whole number")
    if len(digits.lstrip("0")) > MAX_NUMBER_DIGITS:
        reason = f"TotaalBedrag has {len(digits)} digits, more than any iJw number allows"
        raise RecordError("NUMBER_OUT_OF_RANGE", reason)
    total = int(digits)
    state["declared_total_cents"] = -total if text(element, b("DebetCredit")) == "C" else total


def _check_file(parsed: ParsedFile) -> None:
    """File-level rules, checked after every line is read so a rejected file still accounts for all its cents.

    A message without a Declaratie (its body in another namespace, say) would load as an empty file with its declared
    cents gone: HEADER_INVALID. CS340: the declaration period is one calendar month. A declaration is signed (TR135:
    DeclaratieDagtekening not after the system date) for a period that has begun: a period or signature in the future
    claims care not given yet (FUTURE_DATE). TR358: the declared total equals the signed sum of every line read,
    accepted or not.
    """
    state, today = parsed.state, dt.date.today()
    if not state.keys() >= {*DECLARATION_FIELDS, "declared_total_cents"}:
        raise MessageRejected(
            "HEADER_INVALID",
            "no Declaratie with DeclaratieNummer, DeclaratiePeriode, DeclaratieDagtekening and TotaalIngediendBedrag "
            "in the JW323 namespace",
        )
    start, end, signed = state["declaration_period_start"], state["declaration_period_end"], state["declaration_date"]
    if start.day != 1 or end != start.replace(day=calendar.monthrange(start.year, start.month)[1]):
        raise MessageRejected("CS340", f"DeclaratiePeriode {start}..{end} is not one calendar month")
    if start > today:
        raise MessageRejected("FUTURE_DATE", f"DeclaratiePeriode starts {start}, after today ({today})")
    if signed > today:
        raise MessageRejected("FUTURE_DATE", f"DeclaratieDagtekening {signed} is after today ({today})")
    if state["declared_total_cents"] != parsed.amount_cents_read:
        declared = state["declared_total_cents"]
        raise MessageRejected(
            "TR358", f"TotaalIngediendBedrag {declared} != signed sum of the lines {parsed.amount_cents_read}"
        )


def _line_rules(rules: Rules) -> None:
    """The line rules in the order they are checked."""
    rules.number("amount", "IngediendBedrag")
    rules.add(
        f"amount_value > {MAX_AMOUNT_CENTS}",
        "AMOUNT_OUT_OF_RANGE",
        f"'IngediendBedrag ' || amount_value || ' exceeds LDT_Bedrag''s {MAX_AMOUNT_CENTS}'",
    )
    rules.client_error()
    rules.add(
        "declaration_number is null or declaration_period_start is null or declaration_date is null",
        "HEADER_INVALID",
        "'Declaratie lacks DeclaratieNummer, DeclaratiePeriode or dagtekening'",
    )
    rules.required("reference_number", "ProductReferentie/ReferentieNummer")
    rules.code("debit_credit", "codelists/cod043_debit_credit", "DEBIT_CREDIT_INVALID", "DebetCredit")
    rules.code("unit_code", "codelists/wj756_units", "UNIT_UNKNOWN", "Eenheid")
    rules.code("product_category", "codelists/jz020_product_categories", "PRODUCT_CATEGORY_UNKNOWN", "ProductCategorie")
    rules.code("product_code", "reference/product_codes", "PRODUCT_CODE_UNKNOWN", "ProductCode")
    rules.add("period_elements = '0'", "LINE_INCOMPLETE", "'ProductPeriode is missing'")
    start = rules.date("period_start", "ProductPeriode Begindatum")
    end = rules.date("period_end", "ProductPeriode Einddatum")
    rules.add(
        f"{end} < {start}",
        "DATE_INVALID",
        f"'ProductPeriode ends (' || {end} || ') before it starts (' || {start} || ')'",
    )
    rules.add(
        f"{start} < date '{EARLIEST_DATE}'",
        "CS100",
        f"'ProductPeriode starts ' || {start} || ', before {EARLIEST_DATE}'",
    )
    rules.add(
        f"{start} > $today", "FUTURE_DATE", f"'ProductPeriode starts ' || {start} || ', after today (' || $today || ')'"
    )
    rules.add(
        f"date_trunc('month', {start}) <> date_trunc('month', {end})",
        "CS337",
        f"'ProductPeriode ' || {start} || '..' || {end} || ' spans more than one calendar month'",
    )
    rules.required("volume", "GeleverdVolume")
    rules.number("volume", "GeleverdVolume")
    rules.number("tariff_cents", "ProductTarief", guard="tariff_cents is not null")
    rules.add(
        f"unit_code <> '{EURO_UNIT}' and tariff_cents is null",
        "TR346",
        "'Eenheid ' || unit_code || ' needs a ProductTarief to check the amount'",
    )
    # TR346 in exact integers: a volume in minutes is priced on an hourly tariff, and "rounded" is read as within half
    # a cent.
    rules.add(
        f"""unit_code <> '{EURO_UNIT}' and case when unit_code = '{MINUTE_UNIT}'
            then abs(60 * amount_value - volume_value * tariff_cents_value) > 30
            else amount_value <> volume_value * tariff_cents_value end""",
        "TR346",
        f"""'IngediendBedrag ' || amount_value || ' != volume x tariff (' || printf('%g', (volume_value
            * tariff_cents_value)::double / case when unit_code = '{MINUTE_UNIT}' then 60 else 1 end) || ')'""",
    )
    rules.required("allocation_number", "ToewijzingNummer")
    rules.number("allocation_number", "ToewijzingNummer")


SPEC = MessageSpec(
    MESSAGE_TYPE,
    "490",
    "Prestatie",
    sent_by_municipality=False,
    records=RecordRules(
        DeclarationLine,
        texts={name: name for name in _TEXTS},
        rules=_line_rules,
        record_ref="coalesce(nullif(declaration_number, ''), '?') || '/' "
        "|| coalesce(nullif(reference_number, ''), '?')",
        period="period_start",
        # A line whose amount cannot be read keeps 0 cents; a credit's are negative.
        row={"client_key": "coalesce(client_key, '')", "amount_cents": "record_cents"},
        state=DECLARATION_FIELDS,
        cents=f"""case when amount_value is null or amount_value > {MAX_AMOUNT_CENTS} then 0
            when debit_credit = 'C' then -amount_value else amount_value end""",
        staged_as=DeclaredLine,
    ),
    record_fields=_prestatie_fields,
    identifiers=("reference_number", "previous_reference_number", "allocation_number"),
    message_fields={
        "DeclaratieNummer": _read_number,
        "DeclaratiePeriode": _read_period,
        "DeclaratieDagtekening": _read_date,
        "TotaalIngediendBedrag": _read_total,
    },
    check_file=_check_file,
)

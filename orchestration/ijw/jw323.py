"""Stream-reader for JW323 declaration messages (iJw 3.2, BerichtCode 490).

One Prestatie becomes one DeclarationLine, or one LineRejection when the line breaks a rule that concerns the line
alone. A file that cannot be trusted as a whole (not XML, wrong message, DTD, ...) raises MessageRejected; the lines
read before that point are handed back as rejections so their cents stay accounted for.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from orchestration.ijw.bsn import is_valid_bsn
from orchestration.ijw.codelists import codes
from orchestration.ijw.pseudonym import Pseudonymiser
from orchestration.ijw.safe_xml import BASIS_NS, MessageRejected, check_file_size, iter_events, message_namespace

MESSAGE_TYPE = "JW323"
BERICHTCODE = "490"

_NS = message_namespace(MESSAGE_TYPE)


def _m(local: str) -> str:
    return f"{{{_NS}}}{local}"


def _b(local: str) -> str:
    return f"{{{BASIS_NS}}}{local}"


_ROOT = _m("Bericht")
_HEADER = _m("Header")
_DECLARATION_FIELDS = [_m("DeclaratieNummer"), _m("DeclaratiePeriode"), _m("DeclaratieDagtekening")]
_BSN = _m("Bsn")
_PRESTATIE = _m("Prestatie")
_CLIENT = _m("Client")


@dataclass(frozen=True)
class DeclarationLine:
    client_key: str
    municipality_code: str
    provider_agb: str
    message_id: str
    declaration_number: str
    declaration_period_start: dt.date
    declaration_period_end: dt.date
    declaration_date: dt.date
    reference_number: str
    previous_reference_number: str | None
    allocation_number: int
    product_category: str
    product_code: str
    period_start: dt.date
    period_end: dt.date
    volume: int
    unit_code: str
    tariff_cents: int | None
    amount_cents: int
    debit_credit: str
    source_line: int


@dataclass(frozen=True)
class LineRejection:
    record_ref: str
    reason_code: str
    reason: str
    amount_cents: int
    source_line: int


@dataclass
class DeclarationFile:
    """What one file yielded: accepted lines, rejected lines, and the file-level rejection if there was one."""

    path: Path
    lines: list[DeclarationLine] = field(default_factory=list)
    rejections: list[LineRejection] = field(default_factory=list)
    file_rejection: MessageRejected | None = None

    @property
    def amount_cents_read(self) -> int:
        return sum(line.amount_cents for line in self.lines) + sum(r.amount_cents for r in self.rejections)


class _LineError(Exception):
    def __init__(self, reason_code: str, reason: str):
        super().__init__(reason)
        self.reason_code = reason_code


@dataclass
class _Context:
    """Header and declaration fields that precede the lines in document order."""

    municipality_code: str = ""
    provider_agb: str = ""
    message_id: str = ""
    declaration_number: str = ""
    declaration_period: tuple[dt.date, dt.date] | None = None
    declaration_date: dt.date | None = None
    client_key: str | None = None
    client_error: _LineError | None = None


def read_declaration_file(path: Path, pseudonymiser: Pseudonymiser) -> DeclarationFile:
    result = DeclarationFile(path=path)
    try:
        check_file_size(path)
        with path.open("rb") as source:
            _read(source, pseudonymiser, result)
    except MessageRejected as rejected:
        _reject_whole_file(result, rejected)
    except etree.XMLSyntaxError as error:
        line = error.lineno if error.lineno is not None else 0
        _reject_whole_file(result, MessageRejected("XML_MALFORMED", f"not well-formed XML at line {line}: {error.msg}"))
    return result


def _reject_whole_file(result: DeclarationFile, rejected: MessageRejected) -> None:
    for line in result.lines:
        result.rejections.append(
            LineRejection(
                record_ref=_record_ref(line.declaration_number, line.reference_number),
                reason_code=rejected.reason_code,
                reason=f"file rejected: {rejected}",
                amount_cents=line.amount_cents,
                source_line=line.source_line,
            )
        )
    result.lines = []
    result.file_rejection = rejected


def _read(source, pseudonymiser: Pseudonymiser, result: DeclarationFile) -> None:
    context = _Context()
    tags = [_HEADER, *_DECLARATION_FIELDS, _BSN, _PRESTATIE, _CLIENT]
    for event, element in iter_events(source, tags):
        if event == "start":
            _check_root(element)
        elif element.tag == _HEADER:
            _read_header(element, context)
        elif element.tag in _DECLARATION_FIELDS:
            _read_declaration_field(element, context)
        elif element.tag == _BSN:
            _read_client(element, context, pseudonymiser)
        elif element.tag == _PRESTATIE:
            _read_line(element, context, result)
            element.clear()
        elif element.tag == _CLIENT:
            element.clear()
            while element.getprevious() is not None:
                del element.getparent()[0]


def _check_root(root: etree._Element) -> None:
    if root.tag != _ROOT:
        raise MessageRejected("WRONG_NAMESPACE", f"root element is {root.tag}, expected Bericht in namespace {_NS}")


def _read_header(header: etree._Element, context: _Context) -> None:
    berichtcode = _text(header, _m("BerichtCode"))
    if berichtcode != BERICHTCODE:
        raise MessageRejected("WRONG_BERICHTCODE", f"BerichtCode is {berichtcode!r}, JW323 requires {BERICHTCODE}")
    version = (_text(header, _m("BerichtVersie")), _text(header, _m("BerichtSubversie")))
    if version != ("3", "2"):
        raise MessageRejected("WRONG_VERSION", f"BerichtVersie.Subversie is {'.'.join(map(str, version))}, not 3.2")
    agb = _text(header, _m("Afzender")) or ""
    gemeente = _text(header, _m("Ontvanger")) or ""
    if not (len(agb) == 8 and agb.isdigit()):
        raise MessageRejected("HEADER_INVALID", f"Afzender {agb!r} is not an 8-digit AGB code")
    if not (len(gemeente) == 4 and gemeente.isdigit()):
        raise MessageRejected("HEADER_INVALID", f"Ontvanger {gemeente!r} is not a 4-digit gemeente code")
    context.provider_agb = agb
    context.municipality_code = f"GM{gemeente}"
    context.message_id = _text(header, _m("BerichtIdentificatie"), _b("Identificatie")) or ""


def _read_declaration_field(element: etree._Element, context: _Context) -> None:
    try:
        if element.tag == _m("DeclaratieNummer"):
            context.declaration_number = (element.text or "").strip()
        elif element.tag == _m("DeclaratiePeriode"):
            context.declaration_period = _period(element)
        else:
            context.declaration_date = _date(element.text)
    except _LineError as error:
        raise MessageRejected("HEADER_INVALID", f"{etree.QName(element).localname}: {error}") from error


def _read_client(bsn_element: etree._Element, context: _Context, pseudonymiser: Pseudonymiser) -> None:
    bsn = (bsn_element.text or "").strip()
    if is_valid_bsn(bsn):
        context.client_key, context.client_error = pseudonymiser.client_key(bsn), None
    else:
        # The reason never repeats the number itself: quarantine is readable by more people than the BSN may be.
        context.client_key = None
        context.client_error = _LineError("BSN_INVALID", "the client's BSN is not 9 digits passing the elfproef")


def _read_line(prestatie: etree._Element, context: _Context, result: DeclarationFile) -> None:
    reference = _text(prestatie, _m("ProductReferentie"), _b("ReferentieNummer")) or ""
    amount_cents = 0
    try:
        amount_cents, debit_credit = _signed_amount(prestatie)
        result.lines.append(_line(prestatie, context, reference, amount_cents, debit_credit))
    except _LineError as error:
        result.rejections.append(
            LineRejection(
                record_ref=_record_ref(context.declaration_number, reference),
                reason_code=error.reason_code,
                reason=f"Prestatie {reference or '?'} at line {prestatie.sourceline}: {error}",
                amount_cents=amount_cents,
                source_line=prestatie.sourceline or 0,
            )
        )


def _line(
    prestatie: etree._Element, context: _Context, reference: str, amount_cents: int, debit_credit: str
) -> DeclarationLine:
    if context.declaration_period is None or context.declaration_date is None or not context.declaration_number:
        raise MessageRejected("HEADER_INVALID", "Declaratie lacks DeclaratieNummer, DeclaratiePeriode or dagtekening")
    if context.client_error is not None:
        raise context.client_error
    if not reference:
        raise _LineError("LINE_INCOMPLETE", "ProductReferentie/ReferentieNummer is missing")
    unit = _required(prestatie, "Eenheid")
    if unit not in codes("wj756_units"):
        raise _LineError("UNIT_UNKNOWN", f"Eenheid {unit!r} is not in WJ756")
    category = _required(prestatie, "ProductCategorie")
    if category not in codes("jz020_product_categories"):
        raise _LineError("PRODUCT_CATEGORY_UNKNOWN", f"ProductCategorie {category!r} is not in JZ020")
    period_start, period_end = _period(prestatie.find(_m("ProductPeriode")))
    tariff = _text(prestatie, _m("ProductTarief"))
    return DeclarationLine(
        client_key=context.client_key or "",
        municipality_code=context.municipality_code,
        provider_agb=context.provider_agb,
        message_id=context.message_id,
        declaration_number=context.declaration_number,
        declaration_period_start=context.declaration_period[0],
        declaration_period_end=context.declaration_period[1],
        declaration_date=context.declaration_date,
        reference_number=reference,
        previous_reference_number=_text(prestatie, _m("ProductReferentie"), _b("VorigReferentieNummer")),
        allocation_number=_non_negative_int(_required(prestatie, "ToewijzingNummer"), "ToewijzingNummer"),
        product_category=category,
        product_code=_required(prestatie, "ProductCode"),
        period_start=period_start,
        period_end=period_end,
        volume=_non_negative_int(_required(prestatie, "GeleverdVolume"), "GeleverdVolume"),
        unit_code=unit,
        tariff_cents=None if tariff is None else _non_negative_int(tariff, "ProductTarief"),
        amount_cents=amount_cents,
        debit_credit=debit_credit,
        source_line=prestatie.sourceline or 0,
    )


def _signed_amount(prestatie: etree._Element) -> tuple[int, str]:
    """IngediendBedrag in eurocents, negative for a credit (COD043 'C'), and the DebetCredit code."""
    amount = _non_negative_int(_text(prestatie, _m("IngediendBedrag"), _b("Bedrag")) or "", "IngediendBedrag")
    debit_credit = _text(prestatie, _m("IngediendBedrag"), _b("DebetCredit"))
    if debit_credit not in codes("cod043_debit_credit"):
        raise _LineError("DEBIT_CREDIT_INVALID", f"DebetCredit {debit_credit!r} is not in COD043")
    return (-amount if debit_credit == "C" else amount), debit_credit


def _record_ref(declaration_number: str, reference: str) -> str:
    return f"{declaration_number or '?'}/{reference or '?'}"


def _text(element: etree._Element, *path: str) -> str | None:
    node = element
    for tag in path:
        node = node.find(tag) if node is not None else None
    if node is None or node.text is None:
        return None
    return node.text.strip()


def _required(prestatie: etree._Element, local: str) -> str:
    value = _text(prestatie, _m(local))
    if not value:
        raise _LineError("LINE_INCOMPLETE", f"{local} is missing")
    return value


def _non_negative_int(text: str, name: str) -> int:
    if not text.isascii() or not text.isdigit():
        raise _LineError("NUMBER_INVALID", f"{name} {text!r} is not a non-negative whole number")
    return int(text)


def _date(text: str | None) -> dt.date:
    try:
        return dt.date.fromisoformat((text or "").strip())
    except ValueError as error:
        raise _LineError("DATE_INVALID", f"{text!r} is not a date (YYYY-MM-DD)") from error


def _period(element: etree._Element | None) -> tuple[dt.date, dt.date]:
    if element is None:
        raise _LineError("LINE_INCOMPLETE", "a period (Begindatum, Einddatum) is missing")
    start, end = _date(_text(element, _b("Begindatum"))), _date(_text(element, _b("Einddatum")))
    if end < start:
        raise _LineError("DATE_INVALID", f"period ends ({end}) before it starts ({start})")
    return start, end

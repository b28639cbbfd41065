"""Writes JW323 declaration messages (iJw 3.2) that validate against the official JW323.xsd.

Used to produce sample and synthetic data; the reader (jw323.py) never depends on it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from lxml import etree

from orchestration.ijw.safe_xml import BASIS_NS, message_namespace

_NS = message_namespace("JW323")
_NSMAP = {"jw323": _NS, "ijw": BASIS_NS}


@dataclass(frozen=True)
class Line:
    reference_number: str
    allocation_number: int
    product_category: str
    product_code: str
    period_start: dt.date
    period_end: dt.date
    volume: int
    unit_code: str
    tariff_cents: int | None
    amount_cents: int
    """Signed: a credit (correction) is negative and must name the debit it cancels."""
    previous_reference_number: str | None = None


@dataclass
class Declaration:
    provider_agb: str
    gemeente_code: str
    """Four digits, as in the message header (Ontvanger), without the GM prefix."""
    message_id: str
    declaration_number: str
    period_start: dt.date
    period_end: dt.date
    declaration_date: dt.date
    clients: dict[str, list[Line]] = field(default_factory=dict)
    """Lines per client BSN, in message order."""

    @property
    def total_cents(self) -> int:
        return sum(line.amount_cents for lines in self.clients.values() for line in lines)


def _el(parent: etree._Element, ns: str, local: str, text: object | None = None) -> etree._Element:
    element = etree.SubElement(parent, f"{{{ns}}}{local}")
    if text is not None:
        element.text = text.isoformat() if isinstance(text, dt.date) else str(text)
    return element


def _amount(parent: etree._Element, local: str, amount_field: str, cents: int) -> None:
    amount = _el(parent, _NS, local)
    _el(amount, BASIS_NS, amount_field, abs(cents))
    _el(amount, BASIS_NS, "DebetCredit", "C" if cents < 0 else "D")


def _period(parent: etree._Element, local: str, start: dt.date, end: dt.date) -> None:
    period = _el(parent, _NS, local)
    _el(period, BASIS_NS, "Begindatum", start)
    _el(period, BASIS_NS, "Einddatum", end)


def render(declaration: Declaration) -> bytes:
    root = etree.Element(f"{{{_NS}}}Bericht", nsmap=_NSMAP)
    header = _el(root, _NS, "Header")
    for local, value in (("BerichtCode", 490), ("BerichtVersie", 3), ("BerichtSubversie", 2)):
        _el(header, _NS, local, value)
    _el(header, _NS, "Afzender", declaration.provider_agb)
    _el(header, _NS, "Ontvanger", declaration.gemeente_code)
    identification = _el(header, _NS, "BerichtIdentificatie")
    _el(identification, BASIS_NS, "Identificatie", declaration.message_id)
    _el(identification, BASIS_NS, "Dagtekening", declaration.declaration_date)
    xsd_version = _el(header, _NS, "XsdVersie")
    _el(xsd_version, BASIS_NS, "BasisschemaXsdVersie", "1.0.0")
    _el(xsd_version, BASIS_NS, "BerichtXsdVersie", "1.0.0")

    body = _el(root, _NS, "Declaratie")
    _el(body, _NS, "DeclaratieNummer", declaration.declaration_number)
    _period(body, "DeclaratiePeriode", declaration.period_start, declaration.period_end)
    _el(body, _NS, "DeclaratieDagtekening", declaration.declaration_date)
    _amount(body, "TotaalIngediendBedrag", "TotaalBedrag", declaration.total_cents)
    clients = _el(body, _NS, "Clienten")
    for bsn, lines in declaration.clients.items():
        client = _el(clients, _NS, "Client")
        _el(client, _NS, "Bsn", bsn)
        prestaties = _el(client, _NS, "Prestaties")
        for line in lines:
            prestatie = _el(prestaties, _NS, "Prestatie")
            reference = _el(prestatie, _NS, "ProductReferentie")
            _el(reference, BASIS_NS, "ReferentieNummer", line.reference_number)
            if line.previous_reference_number:
                _el(reference, BASIS_NS, "VorigReferentieNummer", line.previous_reference_number)
            _el(prestatie, _NS, "ToewijzingNummer", line.allocation_number)
            _el(prestatie, _NS, "ProductCategorie", line.product_category)
            _el(prestatie, _NS, "ProductCode", line.product_code)
            _period(prestatie, "ProductPeriode", line.period_start, line.period_end)
            _el(prestatie, _NS, "GeleverdVolume", line.volume)
            _el(prestatie, _NS, "Eenheid", line.unit_code)
            if line.tariff_cents is not None:
                _el(prestatie, _NS, "ProductTarief", line.tariff_cents)
            _amount(prestatie, "IngediendBedrag", "Bedrag", line.amount_cents)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)

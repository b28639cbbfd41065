"""Writes JW323 declaration messages (iJw 3.2) that validate against the official JW323.xsd, from the Prestatie values
the reader (jw323.py) reads back.

Used to produce sample and synthetic data; the reader never depends on it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from lxml import etree

from orchestration.generator.writing import Header, element, message_root, period, serialize
from orchestration.ijw.jw323 import Prestatie
from orchestration.ijw.safe_xml import BASIS_NS, message_namespace

_NS = message_namespace("JW323")


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
    clients: dict[str, list[Prestatie]] = field(default_factory=dict)
    """Lines per client BSN, in message order."""
    message_code: int | None = None
    """BerichtCode; None writes 490. Another code is only written to inject a fault."""
    stated_total_cents: int | None = None
    """TotaalIngediendBedrag; None writes the signed sum of the lines (TR358). Set only to inject a fault."""

    @property
    def total_cents(self) -> int:
        return sum(line.amount_cents for lines in self.clients.values() for line in lines)


def _amount(parent: etree._Element, local: str, amount_field: str, cents: int) -> None:
    amount = element(parent, _NS, local)
    element(amount, BASIS_NS, amount_field, abs(cents))
    element(amount, BASIS_NS, "DebetCredit", "C" if cents < 0 else "D")


def render(declaration: Declaration) -> bytes:
    header = Header(
        sender=declaration.provider_agb,
        receiver=declaration.gemeente_code,
        message_id=declaration.message_id,
        message_date=declaration.declaration_date,
        message_code=declaration.message_code,
    )
    root, _ = message_root("JW323", header)
    body = element(root, _NS, "Declaratie")
    element(body, _NS, "DeclaratieNummer", declaration.declaration_number)
    period(body, _NS, "DeclaratiePeriode", declaration.period_start, declaration.period_end)
    element(body, _NS, "DeclaratieDagtekening", declaration.declaration_date)
    total = declaration.total_cents if declaration.stated_total_cents is None else declaration.stated_total_cents
    _amount(body, "TotaalIngediendBedrag", "TotaalBedrag", total)
    clients = element(body, _NS, "Clienten")
    for bsn, lines in declaration.clients.items():
        client = element(clients, _NS, "Client")
        element(client, _NS, "Bsn", bsn)
        prestaties = element(client, _NS, "Prestaties")
        for line in lines:
            prestatie = element(prestaties, _NS, "Prestatie")
            reference = element(prestatie, _NS, "ProductReferentie")
            element(reference, BASIS_NS, "ReferentieNummer", line.reference_number)
            if line.previous_reference_number:
                element(reference, BASIS_NS, "VorigReferentieNummer", line.previous_reference_number)
            element(prestatie, _NS, "ToewijzingNummer", line.allocation_number)
            element(prestatie, _NS, "ProductCategorie", line.product_category)
            element(prestatie, _NS, "ProductCode", line.product_code)
            period(prestatie, _NS, "ProductPeriode", line.period_start, line.period_end)
            element(prestatie, _NS, "GeleverdVolume", line.volume)
            element(prestatie, _NS, "Eenheid", line.unit_code)
            if line.tariff_cents is not None:
                element(prestatie, _NS, "ProductTarief", line.tariff_cents)
            _amount(prestatie, "IngediendBedrag", "Bedrag", line.amount_cents)
    return serialize(root)

"""Shared pieces for writing iJw 3.2 messages: the header every message carries and small element helpers.

Used to produce sample and synthetic data; the readers never depend on it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from lxml import etree

from orchestration.ijw.safe_xml import BASIS_NS, message_namespace

BERICHT_CODES = {"JW301": 436, "JW305": 438, "JW307": 440, "JW315": 446, "JW323": 490}


@dataclass(frozen=True)
class Header:
    sender: str
    """Four-digit municipality code when the municipality sends (JW301), else the provider's AGB code."""
    receiver: str
    message_id: str
    """BerichtIdentificatie/Identificatie: at most 12 characters."""
    message_date: dt.date
    message_code: int | None = None
    """BerichtCode; None means the code of the message type (a different one is only written on purpose)."""


def element(parent: etree._Element, ns: str, local: str, text: object | None = None) -> etree._Element:
    child = etree.SubElement(parent, f"{{{ns}}}{local}")
    if text is not None:
        child.text = text.isoformat() if isinstance(text, dt.date) else str(text)
    return child


def message_root(message: str, header: Header) -> tuple[etree._Element, str]:
    """The Bericht root with its Header filled in, and the message namespace for the body."""
    ns = message_namespace(message)
    root = etree.Element(f"{{{ns}}}Bericht", nsmap={message.lower(): ns, "ijw": BASIS_NS})
    head = element(root, ns, "Header")
    code = header.message_code if header.message_code is not None else BERICHT_CODES[message]
    for local, value in (("BerichtCode", code), ("BerichtVersie", 3), ("BerichtSubversie", 2)):
        element(head, ns, local, value)
    element(head, ns, "Afzender", header.sender)
    element(head, ns, "Ontvanger", header.receiver)
    identification = element(head, ns, "BerichtIdentificatie")
    element(identification, BASIS_NS, "Identificatie", header.message_id)
    element(identification, BASIS_NS, "Dagtekening", header.message_date)
    xsd_version = element(head, ns, "XsdVersie")
    element(xsd_version, BASIS_NS, "BasisschemaXsdVersie", "1.0.0")
    element(xsd_version, BASIS_NS, "BerichtXsdVersie", "1.0.0")
    return root, ns


def period(parent: etree._Element, ns: str, local: str, start: dt.date, end: dt.date | None) -> None:
    container = element(parent, ns, local)
    element(container, BASIS_NS, "Begindatum", start)
    if end is not None:
        element(container, BASIS_NS, "Einddatum", end)


def product(parent: etree._Element, ns: str, category: str, code: str) -> None:
    container = element(parent, ns, "Product")
    element(container, BASIS_NS, "Categorie", category)
    element(container, BASIS_NS, "Code", code)


def serialize(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)

"""Writes the allocation cycle of iJw 3.2: JW315 request, JW301 allocation, JW305 start and JW307 stop.

Each message carries one client, as the XSDs require. Client identity is the minimum the XSDs demand: BSN, birth
date, gender and a fixed placeholder surname; synthetic data never needs, and never gets, realistic personal data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from lxml import etree

from orchestration.generator.writing import Header, element, message_root, product, serialize
from orchestration.ijw.safe_xml import BASIS_NS

PLACEHOLDER_SURNAME = "Testpersoon"
# Contact/Soort is required in JW301; 01 is the BRP address, whose details are optional and left out.
CONTACT_KIND_BRP = "01"
# NaamGebruik 1: the person's own surname.
NAME_USE_OWN = "1"


@dataclass(frozen=True)
class Client:
    bsn: str
    birth_date: dt.date
    gender: str
    """COD046: 0 onbekend, 1 man, 2 vrouw."""


@dataclass(frozen=True)
class Volume:
    """Omvang: volume of unit (WJ756) per frequency (WMO757: 1 dag, 2 week, 4 maand, 6 totaal)."""

    volume: int
    unit_code: str
    frequency: str


@dataclass(frozen=True)
class Request:
    """JW315 AangevraagdProduct."""

    provider_reference: str
    product_category: str
    product_code: str
    requested_start: dt.date
    volume: Volume
    referrer_type: str
    referrer_agb: str | None = None
    referrer_name: str | None = None


@dataclass(frozen=True)
class Allocation:
    """JW301 ToegewezenProduct."""

    allocation_number: int
    provider_reference: str | None
    product_category: str
    product_code: str
    allocated_on: dt.date
    allocated_at: dt.time
    valid_from: dt.date
    valid_until: dt.date | None
    volume: Volume


@dataclass(frozen=True)
class Start:
    """JW305 StartProduct; status 1 delivers a start, 3 withdraws the earlier one with the same keys."""

    allocation_number: int
    product_category: str
    product_code: str
    allocation_valid_from: dt.date
    start_date: dt.date
    status: str = "1"


@dataclass(frozen=True)
class Stop:
    """JW307 StopProduct."""

    allocation_number: int
    product_category: str
    product_code: str
    allocation_valid_from: dt.date
    start_date: dt.date
    end_reason: str
    end_date: dt.date
    status: str = "1"


def _client_identity(parent: etree._Element, ns: str, client: Client, full_name: bool) -> None:
    element(parent, ns, "Bsn", client.bsn)
    birth = element(parent, ns, "Geboortedatum")
    element(birth, BASIS_NS, "Datum", client.birth_date)
    element(parent, ns, "Geslacht", client.gender)
    name = element(parent, ns, "Naam")
    surname = element(name, BASIS_NS, "Geslachtsnaam")
    element(surname, BASIS_NS, "Achternaam", PLACEHOLDER_SURNAME)
    if full_name:
        element(name, BASIS_NS, "NaamGebruik", NAME_USE_OWN)


def _volume(parent: etree._Element, ns: str, volume: Volume) -> None:
    container = element(parent, ns, "Omvang")
    element(container, BASIS_NS, "Volume", volume.volume)
    element(container, BASIS_NS, "Eenheid", volume.unit_code)
    element(container, BASIS_NS, "Frequentie", volume.frequency)


def render_jw315(header: Header, client: Client, requests: list[Request]) -> bytes:
    root, ns = message_root("JW315", header)
    body = element(root, ns, "Client")
    _client_identity(body, ns, client, full_name=False)
    products = element(body, ns, "AangevraagdeProducten")
    for request in requests:
        item = element(products, ns, "AangevraagdProduct")
        element(item, ns, "ReferentieAanbieder", request.provider_reference)
        product(item, ns, request.product_category, request.product_code)
        element(item, ns, "ToewijzingIngangsdatum", request.requested_start)
        _volume(item, ns, request.volume)
        referrer = element(item, ns, "Verwijzer")
        element(referrer, BASIS_NS, "Type", request.referrer_type)
        if request.referrer_name:
            element(referrer, BASIS_NS, "Naam", request.referrer_name)
        if request.referrer_agb:
            element(referrer, BASIS_NS, "ZorgverlenerCode", request.referrer_agb)
    return serialize(root)


def render_jw301(header: Header, client: Client, allocations: list[Allocation]) -> bytes:
    root, ns = message_root("JW301", header)
    body = element(root, ns, "Client")
    _client_identity(body, ns, client, full_name=True)
    contacts = element(body, ns, "Contactgegevens")
    contact = element(contacts, ns, "Contact")
    element(contact, ns, "Soort", CONTACT_KIND_BRP)
    products = element(body, ns, "ToegewezenProducten")
    for allocation in allocations:
        item = element(products, ns, "ToegewezenProduct")
        element(item, ns, "ToewijzingNummer", allocation.allocation_number)
        if allocation.provider_reference:
            element(item, ns, "ReferentieAanbieder", allocation.provider_reference)
        product(item, ns, allocation.product_category, allocation.product_code)
        element(item, ns, "Toewijzingsdatum", allocation.allocated_on)
        element(item, ns, "Toewijzingstijd", allocation.allocated_at.isoformat())
        element(item, ns, "Ingangsdatum", allocation.valid_from)
        if allocation.valid_until is not None:
            element(item, ns, "Einddatum", allocation.valid_until)
        _volume(item, ns, allocation.volume)
    return serialize(root)


def render_jw305(header: Header, client: Client, starts: list[Start]) -> bytes:
    return _render_care_events("JW305", "StartProducten", "StartProduct", header, client, starts)


def render_jw307(header: Header, client: Client, stops: list[Stop]) -> bytes:
    return _render_care_events("JW307", "StopProducten", "StopProduct", header, client, stops)


def _render_care_events(
    message_type: str, list_tag: str, item_tag: str, header: Header, client: Client, events: list[Start] | list[Stop]
) -> bytes:
    """A JW305 or JW307 message: the two share their elements but for a stop's RedenBeeindiging and Einddatum."""
    root, ns = message_root(message_type, header)
    body = element(root, ns, "Client")
    _client_identity(body, ns, client, full_name=False)
    products = element(body, ns, list_tag)
    for event in events:
        item = element(products, ns, item_tag)
        element(item, ns, "ToewijzingNummer", event.allocation_number)
        product(item, ns, event.product_category, event.product_code)
        element(item, ns, "ToewijzingIngangsdatum", event.allocation_valid_from)
        element(item, ns, "Begindatum", event.start_date)
        if isinstance(event, Stop):
            element(item, ns, "RedenBeeindiging", event.end_reason)
            element(item, ns, "Einddatum", event.end_date)
        element(item, ns, "StatusAanlevering", event.status)
    return serialize(root)

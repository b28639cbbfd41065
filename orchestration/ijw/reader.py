"""Generic reader for iJw 3.2 messages: header, client and the repeated product records.

Every message type this project ingests has the shape Bericht/Header + Client + a list of product records. A
MessageSpec says which record element to read; this module does the rest up to each record's field texts: one
hardened parse (safe_xml.parse_message; a broken document up to its break), header checks, the Client, BSN
pseudonymisation, and the file rules once every record is decided (finish_file: a rejected file hands back every
record read so far as a rejection, so its cents stay accounted for). The record rules are SQL over a batch
(orchestration/warehouse/record_rules.py).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from xml.parsers import expat

from lxml import etree

from orchestration.ijw.bsn import remembered_is_valid_bsn
from orchestration.ijw.pseudonym import Pseudonymiser
from orchestration.ijw.safe_xml import (
    BASIS_NS,
    MessageRejected,
    ParsedMessage,
    message_namespace,
)
from orchestration.warehouse.load import ParsedFile, RecordError


@dataclass(frozen=True)
class Header:
    municipality_code: str
    """GM + the 4-digit gemeente code of whichever side the municipality is on."""
    provider_agb: str
    message_id: str
    message_date: dt.date


@dataclass
class Client:
    client_key: str | None = None
    error: RecordError | None = None
    birth_date: dt.date | None = None
    gender_code: str | None = None


class ElementFields(dict):
    """An element's field texts read in one walk: each child's stripped text under its tag, each grandchild's under
    (child tag, grandchild tag); the first of each in document order, as text() reads it; None where empty. A dict
    lookup per field instead of a tag filter per field: the one-record messages have some twenty fields each."""

    __slots__ = ("sourceline", "source_record")

    def __missing__(self, _key: Any) -> None:
        return None


def element_fields(element: etree._Element, source_record: int = 0) -> ElementFields:
    """The fields of element, which is the file's source_record-th record (0 for an element that is no record)."""
    fields = ElementFields()
    fields.sourceline = element.sourceline or 0
    fields.source_record = source_record
    for child in element:
        tag = child.tag
        if tag in fields:
            continue
        value = child.text
        fields[tag] = (value.strip() or None) if value else None
        if len(child):
            for grandchild in child:
                key = (tag, grandchild.tag)
                if key not in fields:
                    value = grandchild.text
                    fields[key] = (value.strip() or None) if value else None
    return fields


@dataclass(frozen=True)
class MessageSpec:
    message_type: str
    berichtcode: str
    record_tag: str
    """Local name of the repeated record element (ToegewezenProduct, StartProduct, Prestatie, ...)."""
    sent_by_municipality: bool
    records: Any = None
    """How its records become rows, by the record rules written once in SQL (a warehouse.record_rules.RecordRules)."""
    record_fields: Callable[[etree._Element, int], ElementFields] = element_fields
    """A record's field texts, read once, with its line (sourceline) and its position among the file's records
    (source_record); JW323 reads its Prestatie's as XPath string values do."""
    message_fields: dict[str, Callable[[etree._Element, dict, Pseudonymiser], None]] = field(default_factory=dict)
    """Readers of message-level elements outside Header and Client into ParsedFile.state, by local name (a RecordError
    rejects the file: HEADER_INVALID)."""
    identifiers: tuple[str, ...] = ()
    """The record's free identifiers, as columns of its texts (records.texts): a BSN found there is replaced by its
    pseudonym before any rule reads the record."""
    check_file: Callable[[ParsedFile], None] = lambda _parsed: None
    """File-level rules run after the last record; raise MessageRejected to reject the file."""

    @functools.cached_property
    def identifier_fields(self) -> tuple[Any, ...]:
        """The identifiers as keys of what record_fields gives."""
        return tuple(self.records.texts[name] for name in self.identifiers)

    @functools.cached_property
    def namespace(self) -> str:
        return message_namespace(self.message_type)

    @functools.cached_property
    def m(self) -> Callable[[str], str]:
        return in_message(self.message_type)

    @functools.cached_property
    def local_names(self) -> dict[str, str]:
        """Every qualified tag visit_message reads -> its local name, built once: every file of the type looks them
        up."""
        names = ("Header", "Client", self.record_tag, "Bsn", "Geboortedatum", "Geslacht", *self.message_fields)
        return {self.m(local): local for local in names}

    @functools.cached_property
    def in_any_namespace(self) -> tuple[str, ...]:
        """The same local names in any namespace or none. The readers look elements up by qualified name, so a body
        in another namespace (a JW323 Declaratie under a JW301 root, say) would be skipped unseen, its records and
        cents lost from the ledger: visit_message meets those too, and refuses the file."""
        return tuple(sorted({f"{{*}}{local}" for local in self.local_names.values()}))


def b(local: str) -> str:
    return f"{{{BASIS_NS}}}{local}"


def in_message(message_type: str) -> Callable[[str], str]:
    """A local name -> its qualified tag in message_type's namespace, for the modules that declare a type's texts."""
    return functools.partial("{{{}}}{}".format, message_namespace(message_type))


_DAGTEKENING, _IDENTIFICATIE, _DATUM = b("Dagtekening"), b("Identificatie"), b("Datum")


def text(element: etree._Element | None, tag: str) -> str | None:
    """Stripped text of element's first child named tag; None when element or that child is missing or has no text."""
    if element is None:
        return None
    # A C-level tag filter: half the cost of findtext, whose path lxml evaluates in Python.
    child = next(element.iterchildren(tag), None)
    value = None if child is None else child.text
    return value.strip() if value else None


# iJw number types are short (basisschema.xsd: LDT_Bedrag up to 99999999, LDT_Nummer up to 999999999); 18 digits keeps
# every value, and sums of them, inside a 64-bit bigint, so an overflowing number is quarantined, never a crashed load.
MAX_NUMBER_DIGITS = 18


def parse_date(value: str | None, label: str = "date") -> dt.date:
    text = (value or "").strip()
    # LDT_Datum is xs:date without a timezone (its pattern forbids ':' and 'Z'), written YYYY-MM-DD; fromisoformat
    # alone also takes 20240201, week dates and 2024-02-01T00:00.
    digits = text[:4] + text[5:7] + text[8:]
    if len(text) == 10 and text[4] == text[7] == "-" and digits.isascii() and digits.isdigit():
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
    raise RecordError("DATE_INVALID", f"{label} {value!r} is not a date (YYYY-MM-DD, no timezone)")


RecordVisitor = Callable[[etree._Element, Header, Client, int], None]
"""Called with each record element, its message's header, its client and its source_record."""


def finish_file(
    parsed: ParsedFile, spec: MessageSpec, rejected: MessageRejected | None, schema_error: MessageRejected | None
) -> None:
    """The file-level rules once every record is decided: a rejection met while reading, NO_RECORDS, the XSD (where a
    schema was given, its verdict when the file was read), then the spec's own (check_file); the first that fails
    rejects the file with every record read."""
    if rejected is not None:
        parsed.reject_file(rejected.reason_code, str(rejected))
        return
    try:
        if not parsed.records and not parsed.rejections:
            # Every iJw message holds at least one record (its XSD says so). None in the message's namespace means the
            # body is another message's, or in another namespace: loaded, it would leave a clean, empty ledger row.
            raise MessageRejected(
                "NO_RECORDS", f"no {spec.record_tag} in {spec.namespace}; an iJw {spec.message_type} holds at least one"
            )
        if schema_error is not None:
            raise schema_error
        spec.check_file(parsed)
    except MessageRejected as rejection:
        parsed.reject_file(rejection.reason_code, str(rejection))


def visit_message(
    message: ParsedMessage,
    spec: MessageSpec,
    pseudonymiser: Pseudonymiser,
    state: dict[str, Any],
    on_record: RecordVisitor,
) -> None:
    """Read the header, clients and message-level fields (into state) of a parsed message in document order, handing
    each record element to on_record with the header and the client it belongs to and its source_record: its position
    (from 1) among the file's records in document order, which tells records apart where lines do not (a message
    written on one line puts every record on line 1)."""
    root = message.root
    if root.tag != spec.m("Bericht"):
        raise MessageRejected(
            "WRONG_NAMESPACE", f"root element is {root.tag}, expected Bericht in namespace {spec.namespace}"
        )
    header: Header | None = None
    client, client_element = Client(), None
    source_record = 0
    local_names, client_tag = spec.local_names, spec.m("Client")
    for element in message.elements:
        local = local_names.get(element.tag)
        if local is None:
            raise MessageRejected(
                "WRONG_NAMESPACE",
                f"{element.tag} at line {element.sourceline} is not in the message's namespace {spec.namespace}",
            )
        if local == spec.record_tag:
            if header is None:
                raise MessageRejected("HEADER_INVALID", "a record precedes the message Header")
            # A record belongs to the Client it sits in; one outside every Client has no client data.
            owner = next(element.iterancestors(client_tag), None)
            source_record += 1
            on_record(element, header, client if owner is client_element else Client(), source_record)
        elif local == "Header":
            header = _read_header(element, spec, pseudonymiser, header)
        elif local in spec.message_fields:
            try:
                spec.message_fields[local](element, state, pseudonymiser)
            except RecordError as error:
                raise MessageRejected("HEADER_INVALID", f"{local}: {error}") from error
        elif local == "Client":
            client, client_element = Client(), element
        elif element.getparent().tag == client_tag:
            _read_client_field(element, local, client, pseudonymiser)


def _read_header(
    header: etree._Element, spec: MessageSpec, pseudonymiser: Pseudonymiser, earlier: Header | None = None
) -> Header:
    # One Header a message (the XSDs say so): the sender it names is the provider of every record, which is also how
    # the ingest keeps each provider's files together (orchestration/warehouse/ingest_lanes.py).
    if earlier is not None:
        raise MessageRejected("HEADER_INVALID", f"a second Header at line {header.sourceline}; a message has one")
    fields = element_fields(header)
    berichtcode = fields.get(spec.m("BerichtCode"))
    if berichtcode != spec.berichtcode:
        raise MessageRejected(
            "WRONG_BERICHTCODE", f"BerichtCode is {berichtcode!r}, {spec.message_type} requires {spec.berichtcode}"
        )
    version = (fields.get(spec.m("BerichtVersie")), fields.get(spec.m("BerichtSubversie")))
    if version != ("3", "2"):
        raise MessageRejected("WRONG_VERSION", f"BerichtVersie.Subversie is {'.'.join(map(str, version))}, not 3.2")
    sender, receiver = fields.get(spec.m("Afzender")) or "", fields.get(spec.m("Ontvanger")) or ""
    gemeente, agb = (sender, receiver) if spec.sent_by_municipality else (receiver, sender)
    if not (len(agb) == 8 and agb.isdigit()):
        raise MessageRejected("HEADER_INVALID", f"AGB code {agb!r} is not 8 digits")
    if not (len(gemeente) == 4 and gemeente.isdigit()):
        raise MessageRejected("HEADER_INVALID", f"gemeente code {gemeente!r} is not 4 digits")
    identification = spec.m("BerichtIdentificatie")
    try:
        message_date = parse_date(fields.get((identification, _DAGTEKENING)), "Dagtekening")
    except RecordError as error:
        raise MessageRejected("HEADER_INVALID", str(error)) from error
    return Header(
        municipality_code=f"GM{gemeente}",
        provider_agb=agb,
        message_id=pseudonymiser.identifier(fields.get((identification, _IDENTIFICATIE))) or "",
        message_date=message_date,
    )


def _read_client_field(element: etree._Element, local: str, client: Client, pseudonymiser: Pseudonymiser):
    """Only the BSN (pseudonymised at once), birth date and gender are read: never names, addresses or contacts."""
    if local == "Bsn":
        bsn = (element.text or "").strip()
        if remembered_is_valid_bsn(bsn):
            client.client_key = pseudonymiser.client_key(bsn)
            # A valid Bsn answers only an earlier invalid one: a broken birth date before it stays the verdict.
            if client.error is not None and client.error.reason_code == "BSN_INVALID":
                client.error = None
        else:
            # The reason never repeats the number: quarantine is readable by more people than the BSN may be.
            client.error = RecordError("BSN_INVALID", "the client's BSN is not 9 digits passing the elfproef")
    elif local == "Geboortedatum":
        try:
            client.birth_date = parse_date(text(element, _DATUM), "Geboortedatum")
        except RecordError as error:
            # A copy never raised, as read_records returns a rejection.
            client.error = client.error or RecordError(error.reason_code, str(error))
    elif local == "Geslacht":
        # Stored as sent (COD046 is not checked here), so a BSN written there is replaced like one in an identifier.
        client.gender_code = pseudonymiser.identifier((element.text or "").strip())


def record_place(source_line: int, source_record: int) -> str:
    """Where a record is, for a reason: its line, where an auditor opens the file, and its position among the file's
    records, which names it when several share the line."""
    return f"at line {source_line}, record {source_record}"


LIBXML2_EXACT_LINES = 65_535
"""libxml2 keeps an element's line in 16 bits: from this line on, lxml's sourceline is an estimate from the element's
neighbours."""


def exact_record_lines(data: bytes, namespace: str, local_name: str) -> list[int] | None:
    """The line of each start tag of the element {namespace}local_name in document order, exact at any line: one more
    than the line feeds before the tag (CR LF counts once and a lone CR not at all, as libxml2 counts). Where each tag
    starts comes from expat, which reports the byte offset of every start tag; it reads only a document the hardened
    parser has already read whole (no DTD, so no entity but the predefined ones). None if expat refuses it (a document
    that did not parse whole keeps lxml's lines)."""
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    name = f"{namespace} {local_name}"
    offsets: list[int] = []

    def start(element: str, _attributes: dict) -> None:
        if element == name:
            offsets.append(parser.CurrentByteIndex)

    parser.StartElementHandler = start
    try:
        parser.Parse(data, True)
    except expat.ExpatError:
        return None
    lines, line, counted_to = [], 1, 0
    for offset in offsets:
        line += data.count(b"\n", counted_to, offset)
        counted_to = offset
        lines.append(line)
    return lines

"""JW323 lines as texts, for the line rules decided per batch in SQL (warehouse/declaration_batch.py).

Every file is read by the generic reader (reader.read_records: hardened lxml parse of the whole document, or a hardened
stream up to the break of one that does not parse), which checks the header and reads the Declaratie fields
(jw323.SPEC); each Prestatie becomes a tuple of its texts as the reader met it: the first occurrence of each field,
stripped (jw323.SPEC.record_fields), its free identifiers' BSNs pseudonymised, with its client's key or error and the
Declaratie fields read before it. No rule is checked here: the batch query decides every line.

A line's source_line is its start tag's line, exact past line 65,535 too (exact_record_lines).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from xml.parsers import expat

from lxml import etree

from orchestration.ijw.jw323 import SPEC
from orchestration.ijw.pseudonym import Pseudonymiser
from orchestration.ijw.reader import Client, Header, read_records, without_bsns
from orchestration.ijw.safe_xml import MessageRejected
from orchestration.warehouse.load import ParsedFile

LINE_COLUMNS = (
    "source_line",
    "source_record",
    "client_key",
    "client_error_code",
    "client_error",
    "declaration_number",
    "declaration_period_start",
    "declaration_period_end",
    "declaration_date",
    "reference",
    "previous_reference",
    "allocation",
    "category",
    "product_code",
    "period_elements",
    "period_start",
    "period_end",
    "volume",
    "unit",
    "tariff",
    "amount",
    "debit_credit",
)
"""A line as read_declaration_file gives it: where it is, its client, the Declaratie as read before it (None where a
field was not read yet) and its field texts (jw323.PrestatieFields, None where absent or empty)."""


@dataclass
class DeclarationFile:
    parsed: ParsedFile
    """The file as read: its Declaratie fields in state; records and rejections come from the batch query."""
    data: bytes | None
    rejected: MessageRejected | None
    """Why reading stopped (None: the file read cleanly); the lines before are decided all the same."""
    header: Header | None
    lines: list[tuple]
    """LINE_COLUMNS per Prestatie read, in document order."""


def read_declaration_file(path: Path, data: bytes | None, pseudonymiser: Pseudonymiser) -> DeclarationFile:
    parsed = ParsedFile(path=path, message_type=SPEC.message_type, staged=True)
    state = parsed.state
    lines: list[tuple] = []
    headers: list[Header] = []
    identifiers = SPEC.identifier_fields

    def collect(prestatie: etree._Element, header: Header, client: Client, source_record: int) -> None:
        if not headers:
            headers.append(header)
        fields = without_bsns(SPEC.record_fields(prestatie, source_record), identifiers, pseudonymiser)
        error = client.error
        period = state.get("declaration_period") or (None, None)
        lines.append(
            (
                fields.sourceline,
                source_record,
                client.client_key,
                None if error is None else error.reason_code,
                None if error is None else str(error),
                state.get("declaration_number"),
                *period,
                state.get("declaration_date"),
                *fields[:13],
            )
        )

    data, rejected = read_records(path, SPEC, pseudonymiser, parsed, collect, data)
    if data is not None and lines and data.count(b"\n") >= LIBXML2_EXACT_LINES:
        exact = exact_record_lines(data, SPEC.namespace, SPEC.record_tag)
        # Records are visited in document order: a read that stopped early has the first of them.
        if exact is not None and len(exact) >= len(lines):
            lines = [(source_line, *line[1:]) for source_line, line in zip(exact, lines, strict=False)]
    return DeclarationFile(parsed, data, rejected, headers[0] if headers else None, lines)


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

"""JW323 lines as raw texts, for declaration rules decided per batch on columns (warehouse/declaration_batch.py).

The reference reader (jw323.py) turns each Prestatie into a DeclarationLine and checks every rule on it in Python,
which costs several times the parse. Nearly every delivered file is clean and plainly shaped, so for those the texts
are handed on as they are and the rules run once per batch in SQL. This module reads a file that way when:

- every Prestatie has the shape JW323.xsd prescribes: the same elements in the same order, optional
  VorigReferentieNummer and ProductTarief, nothing else (_SHAPES);
- the header and the Declaratie fields (each given once, before the first line) pass;
- each line sits in a Client after its Bsn (a BSN failing the elfproef is kept as the line's client error, which the
  reference rules then report), and the file has at least one line.

Any other file gives None and is read by the reference reader, which then decides everything about it. The texts are
not stripped: the batch rules accept only values that need no stripping, and leave the others to the reference reader.
Every file is parsed whole by the hardened parser (safe_xml.parse_document) and its tree visited; no text is read any
other way. A line's source_line is its start tag's line, exact past line 65,535 too (exact_record_lines).
"""

from __future__ import annotations

import dataclasses
import operator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.parsers import expat

from lxml import etree

from orchestration.ijw.jw323 import DECLARATION_FIELDS, SPEC, PrestatieFields
from orchestration.ijw.pseudonym import Pseudonymiser
from orchestration.ijw.reader import Client, Header, ParsedFile, RecordError, b, visit_document
from orchestration.ijw.safe_xml import MessageRejected, check_encoding, check_file_size, parse_document

TEXT_COLUMNS = (
    "reference",
    "previous_reference",
    "allocation",
    "category",
    "product_code",
    "period_start",
    "period_end",
    "volume",
    "unit",
    "tariff",
    "amount",
    "debit_credit",
)
"""A line's texts in the order read_declaration_texts gives them, after its source line and client key."""


@dataclass(frozen=True)
class DeclarationTexts:
    header: Header
    declaration: dict[str, Any]
    """The Declaratie fields as the reference reader keeps them (number, period, date, signed total)."""
    lines: list[tuple]
    """(source_line, client_key, *TEXT_COLUMNS) per Prestatie, in document order; absent texts are None. Every
    Prestatie of the file is here, so a line's position + 1 is its source_record."""
    client_errors: dict[int, RecordError]
    """Why a line's client is invalid (a BSN failing the elfproef), by the line's position in lines; its client_key
    is None."""


class _NotPlain(Exception):
    """The file needs the reference reader."""


@dataclass(frozen=True)
class _Shape:
    """Where a Prestatie's field texts sit among its elements in document order, and its compound elements' sizes."""

    texts: operator.itemgetter
    child_counts: tuple[tuple[int, int], ...]
    """(position, number of children) of the Prestatie and each compound element."""


def _shapes() -> dict[tuple[str, ...], _Shape]:
    m = SPEC.m
    shapes = {}
    for previous in (False, True):
        for tariff in (False, True):
            elements = [
                (m("Prestatie"), None),
                (m("ProductReferentie"), None),
                (b("ReferentieNummer"), "reference"),
                *([(b("VorigReferentieNummer"), "previous_reference")] if previous else []),
                (m("ToewijzingNummer"), "allocation"),
                (m("ProductCategorie"), "category"),
                (m("ProductCode"), "product_code"),
                (m("ProductPeriode"), None),
                (b("Begindatum"), "period_start"),
                (b("Einddatum"), "period_end"),
                (m("GeleverdVolume"), "volume"),
                (m("Eenheid"), "unit"),
                *([(m("ProductTarief"), "tariff")] if tariff else []),
                (m("IngediendBedrag"), None),
                (b("Bedrag"), "amount"),
                (b("DebetCredit"), "debit_credit"),
            ]
            tags = [tag for tag, _column in elements]
            position = {column: index for index, (_tag, column) in enumerate(elements) if column}
            # An absent optional field reads the None appended after the elements' texts.
            absent = len(elements)
            shapes[tuple(tags)] = _Shape(
                texts=operator.itemgetter(*(position.get(column, absent) for column in TEXT_COLUMNS)),
                child_counts=(
                    (0, 9 if tariff else 8),
                    (1, 2 if previous else 1),
                    (tags.index(m("ProductPeriode")), 2),
                    (tags.index(m("IngediendBedrag")), 2),
                ),
            )
    return shapes


# Preorder tags and the child counts of every non-leaf element fix a tree; the leaves have no children because the
# counts checked already add up to the number of elements less one.
_SHAPES = _shapes()


@dataclass
class _PlainFile(ParsedFile):
    fields_read: set[str] = dataclasses.field(default_factory=set)
    """The Declaratie fields met so far, by element name."""


def _once(name: str, handler):
    """A Declaratie field given twice could change the lines between: the reference reader decides such a file."""

    def read(element: etree._Element, parsed: _PlainFile, pseudonymiser: Pseudonymiser) -> None:
        if name in parsed.fields_read:
            raise _NotPlain
        parsed.fields_read.add(name)
        handler(element, parsed, pseudonymiser)

    return read


_PLAIN_SPEC = dataclasses.replace(
    SPEC, message_fields={name: _once(name, handler) for name, handler in SPEC.message_fields.items()}
)


def read_declaration_texts(path: Path, data: bytes, pseudonymiser: Pseudonymiser) -> DeclarationTexts | None:
    """The file's header, Declaratie and line texts, or None when the reference reader must read it."""
    parsed = _PlainFile(path=path, message_type=SPEC.message_type)
    try:
        check_file_size(len(data))
        check_encoding(data)
        header, lines, client_errors = _visit_every_line(parse_document(data), pseudonymiser, parsed)
    except (_NotPlain, MessageRejected, etree.XMLSyntaxError):
        return None
    if not lines or "declared_total_cents" not in parsed.state:
        return None
    if data.count(b"\n") >= LIBXML2_EXACT_LINES:
        exact = exact_record_lines(data, SPEC.namespace, SPEC.record_tag)
        if exact is not None and len(exact) == len(lines):
            lines = [(source_line, *line[1:]) for source_line, line in zip(exact, lines, strict=True)]
    return DeclarationTexts(header, parsed.state, lines, client_errors)


LIBXML2_EXACT_LINES = 65_535
"""libxml2 keeps an element's line in 16 bits: from this line on, lxml's sourceline is an estimate from the element's
neighbours."""


def exact_record_lines(data: bytes, namespace: str, local_name: str) -> list[int] | None:
    """The line of each start tag of the element {namespace}local_name in document order, exact at any line: one more
    than the line feeds before the tag (CR LF counts once and a lone CR not at all, as libxml2 counts). Where each tag
    starts comes from expat, which reports the byte offset of every start tag; it reads only a document the hardened
    parser has already read whole (no DTD, so no entity but the predefined ones). None if expat refuses it."""
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


def _require_declaration_fields(parsed: _PlainFile) -> None:
    """A line needs the Declaratie fields before it; the reference reader decides a file that gives them later."""
    if not parsed.state.keys() >= DECLARATION_FIELDS:
        raise _NotPlain


def _visit_every_line(
    root: etree._Element, pseudonymiser: Pseudonymiser, parsed: _PlainFile
) -> tuple[Header | None, list[tuple], dict[int, RecordError]]:
    """The lines read element by element from the tree, each Prestatie's shape checked against _SHAPES."""
    lines: list[tuple] = []
    client_errors: dict[int, RecordError] = {}
    first_header: list[Header] = []

    def collect(prestatie: etree._Element, header: Header, client: Client, _source_record: int) -> None:
        if not first_header:
            _require_declaration_fields(parsed)
            first_header.append(header)
        elif header is not first_header[0]:
            raise _NotPlain
        if client.error is not None:
            client_errors[len(lines)] = client.error
        elif client.client_key is None:
            raise _NotPlain
        elements = list(prestatie.iter())
        shape = _SHAPES.get(tuple([element.tag for element in elements]))
        if shape is None:
            raise _NotPlain
        for position, children in shape.child_counts:
            if len(elements[position]) != children:
                raise _NotPlain
        texts = [element.text for element in elements]
        texts.append(None)
        # A client with an error may still hold the key of an earlier, valid Bsn: its lines must not pass as clean.
        client_key = None if client.error is not None else client.client_key
        lines.append(_line(prestatie.sourceline or 0, client_key, shape.texts(texts), pseudonymiser))

    visit_document(root, _PLAIN_SPEC, pseudonymiser, parsed, collect)
    return (first_header[0] if first_header else None), lines, client_errors


def _line(source_line: int, client_key: str | None, texts: tuple, pseudonymiser: Pseudonymiser) -> tuple:
    """A line as read_declaration_texts gives it, a BSN in its identifiers (the first three TEXT_COLUMNS) replaced by
    its pseudonym, as the reference reader replaces it (jw323.SPEC.identifier_fields)."""
    reference, previous_reference, allocation, *rest = texts
    identifier = pseudonymiser.identifier
    return (
        source_line,
        client_key,
        identifier(reference),
        identifier(previous_reference),
        identifier(allocation),
        *rest,
    )


def reference_fields(line: tuple, source_record: int) -> PrestatieFields:
    """A line's fields as the reference reader reads them from the same Prestatie, the file's source_record-th:
    stripped, None where absent or empty (a plain Prestatie has each field once and one ProductPeriode)."""
    source_line, _client_key, *texts = line
    stripped = [text.strip() if text else None for text in texts]
    return PrestatieFields(*stripped[:5], "1", *stripped[5:], sourceline=source_line, source_record=source_record)

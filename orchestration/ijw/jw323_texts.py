"""JW323 lines as raw texts, for declaration rules decided per batch on columns (warehouse/declaration_batch.py).

The reference reader (jw323.py) turns each Prestatie into a DeclarationLine and checks every rule on it in Python,
which costs several times the parse. Nearly every delivered file is clean and plainly shaped, so for those the texts
are handed on as they are and the rules run once per batch in SQL. This module reads a file that way when:

- every Prestatie has the shape JW323.xsd prescribes: the same elements in the same order, optional
  VorigReferentieNummer and ProductTarief, nothing else. The shape is checked on the parsed tree (each element's tag
  in document order plus the child counts of the compound elements, which together fix the tree), so comments,
  CDATA, character references and any namespace prefixes read exactly as the reference reader reads them;
- the header and the Declaratie fields (each given once, before the first line) pass;
- each line sits in a Client after its Bsn (a BSN failing the elfproef is kept as the line's client error, which the
  reference rules then report), and the file has at least one line.

Any other file gives None and is read by the reference reader, which then decides everything about it. The texts are
not stripped: the batch rules accept only values that need no stripping, and leave the others to the reference reader.
"""

from __future__ import annotations

import dataclasses
import operator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
    """(source_line, client_key, *TEXT_COLUMNS) per Prestatie, in document order; absent texts are None."""
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

    def read(element: etree._Element, parsed: _PlainFile) -> None:
        if name in parsed.fields_read:
            raise _NotPlain
        parsed.fields_read.add(name)
        handler(element, parsed)

    return read


_PLAIN_SPEC = dataclasses.replace(
    SPEC, message_fields={name: _once(name, handler) for name, handler in SPEC.message_fields.items()}
)


def read_declaration_texts(path: Path, data: bytes, pseudonymiser: Pseudonymiser) -> DeclarationTexts | None:
    """The file's header, Declaratie and line texts, or None when the reference reader must read it."""
    parsed = _PlainFile(path=path, message_type=SPEC.message_type)
    lines: list[tuple] = []
    client_errors: dict[int, RecordError] = {}
    first_header: list[Header] = []

    def collect(prestatie: etree._Element, header: Header, client: Client) -> None:
        if not first_header:
            if not parsed.state.keys() >= DECLARATION_FIELDS:
                raise _NotPlain
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
        lines.append((prestatie.sourceline or 0, client_key, *shape.texts(texts)))

    try:
        check_file_size(len(data))
        check_encoding(data)
        visit_document(parse_document(data), _PLAIN_SPEC, pseudonymiser, parsed, collect)
    except (_NotPlain, MessageRejected, etree.XMLSyntaxError):
        return None
    if not lines or "declared_total_cents" not in parsed.state:
        return None
    return DeclarationTexts(first_header[0], parsed.state, lines, client_errors)


def reference_fields(line: tuple) -> PrestatieFields:
    """A line's fields as the reference reader reads them from the same Prestatie: stripped, None where absent or
    empty (a plain Prestatie has each field once and one ProductPeriode)."""
    source_line, _client_key, *texts = line
    stripped = [text.strip() if text else None for text in texts]
    return PrestatieFields(*stripped[:5], "1", *stripped[5:], sourceline=source_line)

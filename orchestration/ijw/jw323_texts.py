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

Every file is parsed whole by the hardened parser, which also decides well-formedness. A Python step per element of
every line would then cost twice the parse, so the Clienten of a plainly written file (of more than a few lines:
PLAIN_READ_MIN_BYTES) are read with regular expressions over its text instead, and the tree visit reads the rest
(header, Declaratie fields) with a stand-in line in the Clienten's place. The expressions are used only where they
provably read what the visit of every element (_visit_every_line, which reads any other file) reads:

- past the XML declaration there is no '!' or '?', and past the root's start tag no '=': so every '<' opens an
  element's start or end tag (no comment, CDATA section or processing instruction), and no element but the root
  declares a namespace, so the prefixes the root binds to the JW323 and basisschema namespaces mean them everywhere;
- the first JW323 Clienten start tag is followed by nothing but whitespace and plainly written Clients: each a Bsn and
  Prestaties of the shapes in _SHAPES, the texts without references, CR or '<' (so they are the tree's texts);
- the tree holds exactly as many JW323 Prestatie elements as the expressions matched, so it holds no line elsewhere;
  each line takes its source line from the tree's Prestatie in the same place.

Elements outside that Clienten (other Clients included) are visited as before; the stand-in meets the checks the
first line would, at the same place in document order.
"""

from __future__ import annotations

import dataclasses
import functools
import operator
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from lxml import etree

from orchestration.ijw.bsn import is_valid_bsn
from orchestration.ijw.jw323 import DECLARATION_FIELDS, SPEC, PrestatieFields
from orchestration.ijw.pseudonym import Pseudonymiser
from orchestration.ijw.reader import Client, Header, ParsedFile, RecordError, b, visit_document
from orchestration.ijw.safe_xml import BASIS_NS, MessageRejected, check_encoding, check_file_size, parse_document

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


PLAIN_READ_MIN_BYTES = 5_000
"""Shorter files are read by the tree visit: the regular expressions cost more per file (their checks, the stand-in
line) and less per line, and win from about four lines (some 1,050 bytes each as iJw senders write them)."""

# XML whitespace only (other text between elements would be mixed content). Possessive quantifiers: nothing to give
# back to, and they save the regular expression engine its backtracking marks.
_SPACE = r"[ \t\r\n]*+"
_ONLY_SPACE = re.compile(_SPACE)
# No '&' (references), no '<' (comments, CDATA, children), no CR (which the parser turns into LF) and not empty (the
# tree's text is None then): the text between the tags is the element's text as the tree holds it.
_TEXT = r"([^<&\r]++)"


class _PlainExpressions(NamedTuple):
    """The plainly written parts of a Clienten element for one pair of namespace prefixes."""

    clienten_start: str
    clienten_end: str
    client_start: re.Pattern[str]
    """A Client's start up to its Prestaties, capturing the Bsn text."""
    prestatie: re.Pattern[str]
    """A Prestatie of one of the shapes in _SHAPES, capturing the texts of TEXT_COLUMNS (None where absent)."""
    client_end: re.Pattern[str]


@functools.lru_cache(maxsize=8)
def _plain_expressions(message_prefix: str, basis_prefix: str) -> _PlainExpressions:
    m, b_ = f"{re.escape(message_prefix)}:", f"{re.escape(basis_prefix)}:"

    def start(prefix: str, name: str) -> str:
        return f"{_SPACE}<{prefix}{name}>"

    def end(prefix: str, name: str) -> str:
        return f"{_SPACE}</{prefix}{name}>"

    def leaf(prefix: str, name: str, optional: bool = False) -> str:
        element = f"{start(prefix, name)}{_TEXT}</{prefix}{name}>"
        return f"(?:{element})?" if optional else element

    prestatie = (
        start(m, "Prestatie")
        + start(m, "ProductReferentie")
        + leaf(b_, "ReferentieNummer")
        + leaf(b_, "VorigReferentieNummer", optional=True)
        + end(m, "ProductReferentie")
        + leaf(m, "ToewijzingNummer")
        + leaf(m, "ProductCategorie")
        + leaf(m, "ProductCode")
        + start(m, "ProductPeriode")
        + leaf(b_, "Begindatum")
        + leaf(b_, "Einddatum")
        + end(m, "ProductPeriode")
        + leaf(m, "GeleverdVolume")
        + leaf(m, "Eenheid")
        + leaf(m, "ProductTarief", optional=True)
        + start(m, "IngediendBedrag")
        + leaf(b_, "Bedrag")
        + leaf(b_, "DebetCredit")
        + end(m, "IngediendBedrag")
        + end(m, "Prestatie")
    )
    return _PlainExpressions(
        clienten_start=f"<{message_prefix}:Clienten>",
        clienten_end=f"</{message_prefix}:Clienten>",
        # The Bsn may be empty: the elfproef refuses it, as the tree's None.
        client_start=re.compile(
            start(m, "Client") + start(m, "Bsn") + rf"([^<&\r]*+)</{m}Bsn>" + start(m, "Prestaties")
        ),
        prestatie=re.compile(prestatie),
        client_end=re.compile(end(m, "Prestaties") + end(m, "Client")),
    )


class _PlainClienten(NamedTuple):
    element: etree._Element
    lines: list[tuple]
    client_errors: dict[int, RecordError]


def _plain_prefixes(root: etree._Element) -> tuple[str, str] | None:
    """The prefixes the root binds to the JW323 and basisschema namespaces."""
    by_namespace = {namespace: prefix for prefix, namespace in root.nsmap.items() if prefix}
    message_prefix, basis_prefix = by_namespace.get(SPEC.namespace), by_namespace.get(BASIS_NS)
    return None if message_prefix is None or basis_prefix is None else (message_prefix, basis_prefix)


def _markup_start(text: str) -> int | None:
    """Where the markup after the XML declaration starts, when from there every '<' opens an element's start or end
    tag and no element but the root has attributes (so the root's namespace declarations hold everywhere); else
    None."""
    position = 1 if text.startswith("\ufeff") else 0
    if text.startswith("<?", position):
        position = text.index("?>", position) + 2
    # Comments, CDATA sections, processing instructions and a DOCTYPE start '<!' or '<?'. A plain message has no '!'
    # or '?' at all past its declaration, and looking for one character is a memchr, not a scan for a pair.
    if text.find("!", position) != -1 or text.find("?", position) != -1:
        return None
    # So the first '<' opens the root. An attribute needs '=': none past the root's start tag (or past a '>' in one of
    # its values, which ends the search early and only makes it stricter) means no namespace declaration there.
    root_start = text.find("<", position)
    if root_start == -1 or text.find("=", text.find(">", root_start)) != -1:
        return None
    return position


def _read_plain_clienten(text: str, root: etree._Element, pseudonymiser: Pseudonymiser) -> _PlainClienten | None:
    """The lines of the document's Clienten read with regular expressions, or None when that cannot be shown to
    read what the tree visit reads."""
    prefixes = _plain_prefixes(root)
    if prefixes is None:
        return None
    markup_start = _markup_start(text)
    if markup_start is None:
        return None
    expressions = _plain_expressions(*prefixes)
    clienten_start = text.find(expressions.clienten_start, markup_start)
    if clienten_start == -1:
        return None
    position = clienten_start + len(expressions.clienten_start)
    # From the end, where it is: a second Clienten between the two leaves text the expressions do not match.
    clienten_end = text.rfind(expressions.clienten_end, position)
    if clienten_end == -1:
        return None
    prestaties = list(root.iter(SPEC.tags.record))
    if not prestaties:
        return None
    first_prestatie = prestaties[0]
    source_lines = iter([prestatie.sourceline or 0 for prestatie in prestaties])
    del prestaties  # an element with a proxy is moved, not freed, when the Clienten are cleared
    client_start, prestatie, client_end = expressions.client_start, expressions.prestatie, expressions.client_end
    lines: list[tuple] = []
    client_errors: dict[int, RecordError] = {}
    client_keys: dict[str, str] = {}
    try:
        while client := client_start.match(text, position, clienten_end):
            position = client.end()
            bsn = client.group(1).strip()
            error = None
            if not is_valid_bsn(bsn):
                client_key = None
                error = RecordError("BSN_INVALID", "the client's BSN is not 9 digits passing the elfproef")
            elif (client_key := client_keys.get(bsn)) is None:
                client_key = client_keys[bsn] = pseudonymiser.client_key(bsn)
            while line := prestatie.match(text, position, clienten_end):
                position = line.end()
                if error is not None:
                    client_errors[len(lines)] = error
                lines.append((next(source_lines), client_key, *line.groups()))
            if not (end := client_end.match(text, position, clienten_end)):
                return None
            position = end.end()
    except StopIteration:
        # More lines than the tree's Prestaties: every match is one of them, so this only guards that argument.
        return None
    if not lines or not _ONLY_SPACE.fullmatch(text, position, clienten_end) or next(source_lines, None) is not None:
        return None
    # The first tree Prestatie is the first line: Prestaties, Client and Clienten enclose it.
    clienten = first_prestatie.getparent().getparent().getparent()
    return _PlainClienten(clienten, lines, client_errors)


def _visit_around_clienten(
    root: etree._Element, clienten: etree._Element, pseudonymiser: Pseudonymiser, parsed: _PlainFile
) -> Header:
    """The tree visit of everything but the Clienten, whose lines the expressions read: a stand-in Prestatie in their
    place meets the checks the first line would, with the header and Declaratie fields read so far."""
    headers: list[Header] = []

    def at_the_lines(_stand_in: etree._Element, header: Header, _client: Client) -> None:
        _require_declaration_fields(parsed)
        headers.append(header)

    clienten.clear()
    etree.SubElement(clienten, SPEC.tags.record)
    visit_document(root, _PLAIN_SPEC, pseudonymiser, parsed, at_the_lines)
    return headers[0]


def read_declaration_texts(path: Path, data: bytes, pseudonymiser: Pseudonymiser) -> DeclarationTexts | None:
    """The file's header, Declaratie and line texts, or None when the reference reader must read it."""
    parsed = _PlainFile(path=path, message_type=SPEC.message_type)
    try:
        check_file_size(len(data))
        check_encoding(data)
        root = parse_document(data)
        clienten = None
        if len(data) >= PLAIN_READ_MIN_BYTES:
            clienten = _read_plain_clienten(data.decode("utf-8"), root, pseudonymiser)
        if clienten is None:
            header, lines, client_errors = _visit_every_line(root, pseudonymiser, parsed)
        else:
            header = _visit_around_clienten(root, clienten.element, pseudonymiser, parsed)
            lines, client_errors = clienten.lines, clienten.client_errors
    except (_NotPlain, MessageRejected, etree.XMLSyntaxError):
        return None
    if not lines or "declared_total_cents" not in parsed.state:
        return None
    return DeclarationTexts(header, parsed.state, lines, client_errors)


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

    def collect(prestatie: etree._Element, header: Header, client: Client) -> None:
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
        lines.append((prestatie.sourceline or 0, client_key, *shape.texts(texts)))

    visit_document(root, _PLAIN_SPEC, pseudonymiser, parsed, collect)
    return (first_header[0] if first_header else None), lines, client_errors


def reference_fields(line: tuple) -> PrestatieFields:
    """A line's fields as the reference reader reads them from the same Prestatie: stripped, None where absent or
    empty (a plain Prestatie has each field once and one ProductPeriode)."""
    source_line, _client_key, *texts = line
    stripped = [text.strip() if text else None for text in texts]
    return PrestatieFields(*stripped[:5], "1", *stripped[5:], sourceline=source_line)

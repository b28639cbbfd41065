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

A file is parsed by the hardened parser, which decides well-formedness, and visited element by element
(_visit_every_line). Both cost about as much per line as the floor, so the Clienten of a plainly written file (of more
than a few lines: PLAIN_READ_MIN_BYTES) are read with regular expressions over its text instead and never parsed: the
parser reads the document with a stand-in Prestatie in place of the Clienten's content, and the tree visit reads that
(header, Declaratie fields). The expressions are used only where they provably read what parsing and visiting the
whole document reads:

- past the XML declaration there is no '!' or '?', and past the root's start tag no '=': so every '<' opens an
  element's start or end tag (no comment, CDATA section or processing instruction), and no element but the root
  declares a namespace, so the prefixes the root binds mean the same everywhere;
- the first Clienten start tag is followed, up to the last Clienten end tag, by nothing but XML whitespace and plainly
  written Clients: each a Bsn and Prestaties of the shapes in _SHAPES, their texts free of references, markup, CR and
  characters XML forbids, and short (so the content is well-formed and the texts are the tree's);
- the document around, parsed, binds the prefixes the expressions took to the JW323 and basisschema namespaces and holds
  no Prestatie but the stand-in, so no line sits elsewhere;
- a line's source line is the parser's line of its start tag: one more than the line feeds before it. (Past line
  65,535 libxml2 only estimates an element's line from its neighbours; the count is exact there.)

Elements outside that Clienten (other Clients included) are visited as before; the stand-in meets the checks the
first line would, at the same place in document order.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import operator
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from lxml import etree

from orchestration.ijw.bsn import remembered_is_valid_bsn
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


PLAIN_READ_MIN_BYTES = 5_000
"""Shorter files are read by the tree visit: the regular expressions cost more per file (their checks, the stand-in
line) and less per line, and win from about four lines (some 1,050 bytes each as iJw senders write them)."""

# The Clienten's content is never parsed: these expressions decide that it is well-formed, so they admit less than XML
# does. Whitespace between elements is XML whitespace only (other text would be mixed content). Possessive
# quantifiers: nothing to give back to, and they save the regular expression engine its backtracking marks. Runs stay
# far below libxml2's 10 MB text node limit (huge_tree is off).
_SPACE = r"[ \t\r\n]{0,10000}+"
# A text holds no '&' (references), no '<' (markup), no '>' (so no ']]>'), no character XML 1.0 forbids (a decoded str
# holds no surrogates) and no CR, and is not empty (the tree's text is None then): it is the element's text as the
# tree would hold it.
_TEXT_CHARACTER = r"[^<>&\r\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]"
_TEXT = _TEXT_CHARACTER + "{1,10000}+"
_BSN_TEXT = _TEXT_CHARACTER + "{0,10000}+"  # may be empty: the elfproef refuses it, as the tree's None


class _PlainExpressions(NamedTuple):
    """The plainly written parts of a Clienten element for one pair of namespace prefixes."""

    lines: re.Pattern[str]
    """A line: either a Client's start and its first Prestatie, or a further Prestatie of the same Client.

    The first alternative may begin with the end of the Client before. It captures (groups 1 to 3) that end, the Client
    start tag (as a marker) and the Bsn text; then each alternative captures where its Prestatie start tag begins (an
    empty group: 4, or 17) and the texts of TEXT_COLUMNS (None where absent: 5 to 16, or 18 to 29). Each alternative
    starts at a tag of its own and matches one way only, so a content made of such lines is met line by line."""
    last_client_end: re.Pattern[str]
    """The end of the last Client, and whitespace up to the Clienten end tag."""


_FIRST_LINE_TEXTS = slice(4, 16)
_FURTHER_LINE_TEXTS = slice(17, 29)


@functools.lru_cache(maxsize=8)
def _plain_expressions(message_prefix: str, basis_prefix: str) -> _PlainExpressions:
    m, b_ = f"{re.escape(message_prefix)}:", f"{re.escape(basis_prefix)}:"

    def start(prefix: str, name: str) -> str:
        return f"{_SPACE}<{prefix}{name}>"

    def end(prefix: str, name: str) -> str:
        return f"{_SPACE}</{prefix}{name}>"

    def leaf(prefix: str, name: str, optional: bool = False, text: str = _TEXT) -> str:
        element = f"{start(prefix, name)}({text})</{prefix}{name}>"
        return f"(?:{element})?" if optional else element

    prestatie = (
        f"{_SPACE}()<{m}Prestatie>"
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
    client_end = end(m, "Prestaties") + end(m, "Client")
    client_start = f"({start(m, 'Client')})" + leaf(m, "Bsn", text=_BSN_TEXT) + start(m, "Prestaties")
    return _PlainExpressions(
        lines=re.compile(f"({client_end})?{client_start}{prestatie}|{prestatie}"),
        last_client_end=re.compile(client_end + _SPACE),
    )


class _PlainClienten(NamedTuple):
    lines: list[tuple]
    client_errors: dict[int, RecordError]
    around: etree._Element
    """The root of the document parsed with a stand-in Prestatie in place of the Clienten's content."""


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


_CLIENTEN_START = re.compile(r"<([A-Za-z_][\w.-]*+):Clienten>")
_REFERENCE_START = re.compile(r"<([A-Za-z_][\w.-]*+):ReferentieNummer>")


def _read_plain_clienten(data: bytes, text: str, pseudonymiser: Pseudonymiser) -> _PlainClienten | None:
    """The lines of the document's Clienten read with regular expressions, or None when that cannot be shown to
    read what the tree visit of the whole document reads."""
    markup_start = _markup_start(text)
    if markup_start is None:
        return None
    # The prefixes of the first Clienten and ReferentieNummer start tags, taken on trust here and checked against the
    # root's namespace declarations once the document around the Clienten is parsed.
    first = _CLIENTEN_START.search(text, markup_start)
    if first is None:
        return None
    message_prefix, position = first.group(1), first.end()
    # From the end, where it is: a second Clienten between the two leaves text the expressions do not match.
    clienten_end = text.rfind(f"</{message_prefix}:Clienten>", position)
    if clienten_end == -1:
        return None
    reference = _REFERENCE_START.search(text, position, clienten_end)
    if reference is None:
        return None
    basis_prefix = reference.group(1)
    expressions = _plain_expressions(message_prefix, basis_prefix)
    lines: list[tuple] = []
    client_errors: dict[int, RecordError] = {}
    client_key: str | None = None
    error: RecordError | None = None
    source_line, counted_to = 1, 0
    # The content must be the lines back to back (each match starts where the one before ended), then the last
    # Client's end: so it is nothing but whitespace and plainly written Clients.
    for line in expressions.lines.finditer(text, position, clienten_end):
        if line.start() != position:
            return None
        position = line.end()
        texts = line.groups()
        if texts[1] is None:
            if not lines:  # a further line needs a Client before it
                return None
            tag_start, line_texts = line.start(17), texts[_FURTHER_LINE_TEXTS]
        else:
            if (texts[0] is None) != (not lines):  # only the first Client starts without the end of one before it
                return None
            bsn = texts[2].strip()
            if remembered_is_valid_bsn(bsn):
                client_key, error = pseudonymiser.client_key(bsn), None
            else:
                client_key = None
                error = RecordError("BSN_INVALID", "the client's BSN is not 9 digits passing the elfproef")
            tag_start, line_texts = line.start(4), texts[_FIRST_LINE_TEXTS]
        # The parser's line of a start tag: one more than the line feeds before it (CR LF counts once, a lone CR not
        # at all, as libxml2 counts).
        source_line += text.count("\n", counted_to, tag_start)
        counted_to = tag_start
        if error is not None:
            client_errors[len(lines)] = error
        lines.append(_line(source_line, client_key, line_texts, pseudonymiser))
    if not lines or not expressions.last_client_end.fullmatch(text, position, clienten_end):
        return None
    # In bytes the same tags sit at other offsets (a character may take several bytes), found the same way: UTF-8
    # never encodes another character with an ASCII byte.
    start_tag, end_tag = f"<{message_prefix}:Clienten>".encode(), f"</{message_prefix}:Clienten>".encode()
    content_start = data.index(start_tag) + len(start_tag)
    # The rest of the document is parsed as it stands: the expressions' prefixes must mean the JW323 and basisschema
    # namespaces there, and the stand-in must be its only line.
    around = parse_document(
        data[:content_start] + f"<{message_prefix}:Prestatie/>".encode() + data[data.rindex(end_tag) :]
    )
    if around.nsmap.get(message_prefix) != SPEC.namespace or around.nsmap.get(basis_prefix) != BASIS_NS:
        return None
    if len(list(itertools.islice(around.iter(SPEC.tags.record), 2))) != 1:
        return None
    return _PlainClienten(lines, client_errors, around)


def _visit_around_clienten(around: etree._Element, pseudonymiser: Pseudonymiser, parsed: _PlainFile) -> Header:
    """The tree visit of everything but the Clienten's content, which the expressions read: the stand-in Prestatie in
    its place meets the checks the first line would, with the header and Declaratie fields read so far."""
    headers: list[Header] = []

    def at_the_lines(_stand_in: etree._Element, header: Header, _client: Client, _source_record: int) -> None:
        _require_declaration_fields(parsed)
        headers.append(header)

    visit_document(around, _PLAIN_SPEC, pseudonymiser, parsed, at_the_lines)
    return headers[0]


def read_declaration_texts(path: Path, data: bytes, pseudonymiser: Pseudonymiser) -> DeclarationTexts | None:
    """The file's header, Declaratie and line texts, or None when the reference reader must read it."""
    parsed = _PlainFile(path=path, message_type=SPEC.message_type)
    try:
        check_file_size(len(data))
        check_encoding(data)
        clienten = None
        if len(data) >= PLAIN_READ_MIN_BYTES:
            clienten = _read_plain_clienten(data, data.decode("utf-8"), pseudonymiser)
        if clienten is None:
            header, lines, client_errors = _visit_every_line(parse_document(data), pseudonymiser, parsed)
        else:
            header = _visit_around_clienten(clienten.around, pseudonymiser, parsed)
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

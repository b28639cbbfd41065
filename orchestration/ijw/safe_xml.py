"""Hardened parsing of untrusted iJw XML.

Messages arrive from outside the municipality, so the parser never resolves entities, never loads a DTD, never touches
the network and never lifts libxml2's size limits. A document that declares a DTD at all is refused: iJw messages have
none, and an internal subset is how entity-expansion attacks (billion laughs, XXE) are delivered.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import IO, NamedTuple

from lxml import etree

BASIS_NS = "http://www.istandaarden.nl/ijw/3_2/basisschema/schema"

# iJw caps a delivered file at 25 MB; anything larger is not a valid delivery and is refused before parsing.
MAX_FILE_BYTES = 25 * 1024 * 1024


class MessageRejected(Exception):
    """The whole file is unusable; reason_code names the rule, the message names file and place."""

    def __init__(self, reason_code: str, message: str):
        super().__init__(message)
        self.reason_code = reason_code


def message_namespace(message: str) -> str:
    return f"http://www.istandaarden.nl/ijw/3_2/{message.lower()}/schema"


HARDENING = {
    "resolve_entities": False,
    "load_dtd": False,
    "dtd_validation": False,
    "no_network": True,
    "huge_tree": False,
    "remove_comments": True,
    "remove_pis": True,
}


class ParsedMessage(NamedTuple):
    root: etree._Element | None
    """None when the document broke before its root began."""
    elements: list[etree._Element]
    """The elements named in the reader's tags, in document order; of a broken document those it completed."""
    broken: MessageRejected | None
    """XML_MALFORMED, naming the line, when the document does not parse whole."""


def parse_message(data: bytes, tags: tuple[str, ...]) -> ParsedMessage:
    """A message parsed whole in one C call (messages are capped at MAX_FILE_BYTES, so the tree is bounded) and its
    elements named in tags, found by a C-level tag filter. A document that does not parse whole is read up to its
    break instead (_read_to_break), so the records it completed can still be counted. A DTD, or (parsed whole) an
    encoding other than UTF-8, raises MessageRejected."""
    try:
        root = parse_document(data)
    except etree.XMLSyntaxError as error:
        message = _read_to_break(data, tags, error)
    else:
        message = ParsedMessage(root, list(root.iter(*tags)), None)
    if message.root is not None:
        docinfo = message.root.getroottree().docinfo
        if docinfo.doctype:
            raise MessageRejected("XML_DTD_FORBIDDEN", "the document declares a DTD; iJw messages have none")
        # The encoding the parser decoded the text with is the authority: however the declaration is written (far
        # into the file, on several lines), a parse that did not read UTF-8 read other texts than the bytes' UTF-8.
        if message.broken is None and (docinfo.encoding or "").lower().replace("_", "-") not in _UTF8_NAMES:
            raise MessageRejected(
                "ENCODING_INVALID", f"the XML declaration names encoding {docinfo.encoding}; iJw requires UTF-8"
            )
    return message


# One parser for every whole-document parse in this process: building a parser costs more than parsing a small
# message. lxml parsers are not thread-safe; the ingest reads files one at a time per process.
_DOCUMENT_PARSER = etree.XMLParser(**HARDENING)


def _pull_parser(**options: object) -> etree.XMLPullParser:
    """A hardened pull parser for one document. Never one for many: a pull parser closed on a document that did not
    end keeps that document's tree as long as the parser lives, for every such document (docs/benchmarks.md)."""
    return etree.XMLPullParser(**options, **HARDENING)


def _read_to_break(data: bytes, tags: tuple[str, ...], error: etree.XMLSyntaxError) -> ParsedMessage:
    """A document that does not parse whole, parsed again up to its break: its root (so a DTD or a wrong root is
    reported before the break, as for a whole document) and the elements named in tags it completed."""
    # The same parse, reporting where each element starts and ends: a broken document keeps the tree up to its break.
    parser = _pull_parser(events=("start", "end"))
    # Where and why it broke, not the error itself: a caught error kept in a local holds, through its traceback, this
    # frame and its callers' in a reference cycle (reader.read_records).
    line, reason = error.lineno, error.msg
    try:
        parser.feed(data)
        parser.close()
    except etree.XMLSyntaxError as at_break:
        line, reason = at_break.lineno, at_break.msg
    events = list(parser.read_events())
    broken = MessageRejected("XML_MALFORMED", f"not well-formed XML at line {line or 0}: {reason}")
    if not events:
        return ParsedMessage(None, [], broken)
    # What the reader reads of an element is complete at its end; a Client open at the break still holds the records
    # that ended inside it, so an element holding one that ended is kept too.
    root, ended = events[0][1], {element for event, element in events if event == "end"}
    named = list(root.iter(*tags))
    holding = {ancestor for element in named if element in ended for ancestor in element.iterancestors()}
    return ParsedMessage(root, [element for element in named if element in ended or element in holding], broken)


def parse_document(data: bytes) -> etree._Element:
    """The root of a whole document, parsed in one C call by the hardened parser; raises XMLSyntaxError."""
    return etree.fromstring(data, parser=_DOCUMENT_PARSER)


def check_file_size(size: int) -> None:
    if size == 0:
        raise MessageRejected("FILE_EMPTY", "the file is empty")
    if size > MAX_FILE_BYTES:
        raise MessageRejected("FILE_TOO_LARGE", f"the file is {size} bytes; iJw caps a message at {MAX_FILE_BYTES}")


_UTF8_NAMES = ("utf-8", "utf8")


def check_encoding(data: bytes) -> None:
    """iJw messages are UTF-8 (as every official example message declares): anything else is refused whole, a decision
    recorded in docs/reliability.md.

    libxml2 would happily decode UTF-16 or a declared Latin-1. Every byte must decode as UTF-8, checked here before
    parsing (Latin-1 bytes under a UTF-8 declaration are caught with their offset rather than as a vague syntax
    error); the declared encoding is the parser's to read, and parse_message refuses any but UTF-8. The message is
    already in memory (it is capped at MAX_FILE_BYTES), so one C-level decode checks it.
    """
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.end == len(data) and error.reason == "unexpected end of data":
            raise MessageRejected("ENCODING_INVALID", "the file ends inside a UTF-8 character") from error
        raise MessageRejected(
            "ENCODING_INVALID", f"byte {error.start} is not valid UTF-8; iJw messages are UTF-8"
        ) from error


# The message types of iJw release 3.2 (../shared/reference/ijw-3.2/xsd), by namespace.
_MESSAGE_TYPES_BY_NAMESPACE = {
    message_namespace(f"JW{number}"): f"JW{number}"
    for number in (301, 302, 305, 306, 307, 308, 315, 316, 317, 318, 319, 320, 323, 325)
}


class MessageHead(NamedTuple):
    """What the landing inventory keeps of a message without reading it whole."""

    message_type: str | None
    """From the root element's namespace; None when the file is no iJw 3.2 message (not XML, a DTD, another one)."""
    sender: str | None
    """The first Header's first Afzender, stripped (None: absent or unreadable): for a message the readers accept, the
    header they read, as a message has one."""


WHOLE_SNIFF_BYTES = 64 * 1024
"""A message this small is sniffed from one whole parse: for a small file one C call costs less than a pull parse's
events. A larger one, or one that does not parse whole, is pulled up to the end of its Header."""
# Fed a chunk at a time, the bytes already read too, so a larger message is parsed only up to the end of its Header.
_SNIFF_CHUNK_BYTES = 8192


def sniff_stream(source: IO[bytes]) -> MessageHead:
    """The message type and sender a hardened parse up to the end of the first Header gives, reading no more than
    MAX_FILE_BYTES: a larger message is no iJw delivery (the reader refuses it unread), and a parse of an endless one
    would never end."""
    start = source.read(WHOLE_SNIFF_BYTES + 1)
    if len(start) <= WHOLE_SNIFF_BYTES:
        try:
            root = parse_document(start)
        except etree.XMLSyntaxError:
            pass  # broken, or no XML: the pull parse tells what came before the break
        else:
            return _head_of_whole(root)
    return _sniff_pulled(start, source)


def _head_of_whole(root: etree._Element) -> MessageHead:
    """What _sniff_pulled gives for the same document, parsed whole: the sender of the first Header to end, which is
    the innermost of the first Header and the Headers nested in it."""
    message_type = _root_message_type(root)
    if message_type is None:
        return MessageHead(None, None)
    namespace = etree.QName(root).namespace
    header_tag = f"{{{namespace}}}Header"
    header = next(root.iter(header_tag), None)
    while header is not None and (inner := next(header.iterdescendants(header_tag), None)) is not None:
        header = inner
    if header is None:
        return MessageHead(message_type, None)
    return MessageHead(message_type, (header.findtext(f"{{{namespace}}}Afzender") or "").strip() or None)


def _sniff_pulled(start: bytes, source: IO[bytes]) -> MessageHead:
    """sniff_stream by a pull parser fed start, then the rest of source, stopping at the end of the first Header."""
    # Only the root and the Header make events (a filter in C), so the rest of a chunk costs no Python objects.
    parser = _pull_parser(events=("start", "end"), tag=("{*}Bericht", "{*}Header"))
    message_type: str | None = None
    header = afzender = ""
    for _fed in _feed(parser, start, source):
        for event, element in parser.read_events():
            if message_type is None:
                root = element.getroottree().getroot()
                message_type = _root_message_type(root)
                if message_type is None:
                    return MessageHead(None, None)
                namespace = etree.QName(root).namespace
                header, afzender = f"{{{namespace}}}Header", f"{{{namespace}}}Afzender"
            if event == "end" and element.tag == header:
                # The first Afzender's stripped text, as the readers read header fields.
                return MessageHead(message_type, (element.findtext(afzender) or "").strip() or None)
    return MessageHead(message_type, None)


def _feed(parser: etree.XMLPullParser, start: bytes, source: IO[bytes]) -> Iterator[None]:
    """Feed start and then the rest of source to parser a chunk at a time, at most MAX_FILE_BYTES in all, then its
    end; yield after each, so the events so far can be read. Stops after a chunk the document breaks in: its events
    before the break are still read."""
    left = MAX_FILE_BYTES
    pending = [start[offset : offset + _SNIFF_CHUNK_BYTES] for offset in range(0, len(start), _SNIFF_CHUNK_BYTES)]
    while left > 0:
        chunk = pending.pop(0) if pending else source.read(min(_SNIFF_CHUNK_BYTES, left))
        if not chunk:
            break
        chunk = chunk[:left]
        left -= len(chunk)
        try:
            parser.feed(chunk)
        except etree.XMLSyntaxError:
            yield
            return
        yield
    with contextlib.suppress(etree.XMLSyntaxError):
        parser.close()
    yield


def _root_message_type(root: etree._Element) -> str | None:
    """The message type a root element names: a Bericht in an iJw 3.2 message namespace, in a document without DTD."""
    if root.getroottree().docinfo.doctype:
        return None
    name = etree.QName(root)
    if name.localname != "Bericht":
        return None
    return _MESSAGE_TYPES_BY_NAMESPACE.get(name.namespace or "")

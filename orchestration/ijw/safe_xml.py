"""Hardened parsing of untrusted iJw XML.

Messages arrive from outside the municipality, so the parser never resolves entities, never loads a DTD, never touches
the network and never lifts libxml2's size limits. A document that declares a DTD at all is refused: iJw messages have
none, and an internal subset is how entity-expansion attacks (billion laughs, XXE) are delivered.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

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


Tags = Callable[[etree._Element], tuple[str, ...]]
"""The root element -> the tags of the elements the reader reads: what a message holds depends on its type."""


def parse_message(data: bytes, tags_of: Tags) -> ParsedMessage:
    """A message parsed whole in one C call (messages are capped at MAX_FILE_BYTES, so the tree is bounded) and its
    elements named in tags_of(its root), found by a C-level tag filter. A document that does not parse whole is read
    up to its break instead (_read_to_break), so the records it completed can still be counted. A DTD, or (parsed
    whole) an encoding other than UTF-8, raises MessageRejected."""
    try:
        root = parse_document(data)
    except etree.XMLSyntaxError as error:
        message = _read_to_break(data, tags_of, error)
    else:
        message = ParsedMessage(root, list(root.iter(*tags_of(root))), None)
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


def _read_to_break(data: bytes, tags_of: Tags, error: etree.XMLSyntaxError) -> ParsedMessage:
    """A document that does not parse whole, parsed again up to its break: its root (so a DTD or a wrong root is
    reported before the break, as for a whole document) and the elements named in tags_of(its root) it completed."""
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
    named = list(root.iter(*tags_of(root)))
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
    """What the landing inventory keeps of a message: its type and sender."""

    message_type: str | None
    """From the root element's namespace; None when the file is no iJw 3.2 message (not XML, a DTD, another one)."""
    sender: str | None
    """The first Header's first Afzender, stripped (None: absent or unreadable): for a message the readers accept, the
    header they read, as a message has one."""


def message_head(root: etree._Element) -> MessageHead:
    """The type and sender of a parsed message (of a broken one, as far as it parsed): the sender of the first Header
    to end, which is the innermost of the first Header and the Headers nested in it."""
    message_type = _root_message_type(root)
    if message_type is None:
        return MessageHead(None, None)
    namespace = message_namespace(message_type)
    header_tag = f"{{{namespace}}}Header"
    header = next(root.iter(header_tag), None)
    while header is not None and (inner := next(header.iterdescendants(header_tag), None)) is not None:
        header = inner
    afzender = None if header is None else next(header.iterchildren(f"{{{namespace}}}Afzender"), None)
    return MessageHead(message_type, ((afzender.text or "").strip() or None) if afzender is not None else None)


def head_of(data: bytes) -> MessageHead:
    """The head of a message refused before it was parsed (its encoding), parsed for its head alone."""
    try:
        root = parse_document(data)
    except etree.XMLSyntaxError as error:
        root = _read_to_break(data, lambda _root: (), error).root
    return MessageHead(None, None) if root is None else message_head(root)


def _root_message_type(root: etree._Element) -> str | None:
    """The message type a root element names: a Bericht in an iJw 3.2 message namespace, in a document without DTD."""
    if root.getroottree().docinfo.doctype:
        return None
    name = etree.QName(root)
    if name.localname != "Bericht":
        return None
    return _MESSAGE_TYPES_BY_NAMESPACE.get(name.namespace or "")

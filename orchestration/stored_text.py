"""Text from a landing file (CBS snapshot, budget CSV) as the warehouse may store it, and values as a reason shows them.

A control character is quarantined, never stripped: no CBS key or title and no budget cell typed in a spreadsheet
holds one, so it marks a corrupt or hostile file, and stripping it would change a key or name without anyone seeing
(two keys could become one). Stored, it would break what reads the warehouse: openpyxl refuses control characters in
the XLSX report, C tools end a string at NUL, and DuckDB refuses a lone surrogate (JSON "\\ud800") by invalidating
the whole database. Tab, line feed and carriage return are layout (Alt+Enter in an Excel cell) and become one space.
"""

from __future__ import annotations

import re
from decimal import Decimal

from orchestration.reasons import ReasonError

LAYOUT = re.compile(r"[\t\n\r]+")
# C0 and C1 controls, DEL, and UTF-16 surrogates, which no valid UTF-8 holds but a JSON escape can produce.
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
SHOWN_CHARACTERS = 40
# Python refuses to write an integer of more than 4,300 digits as text; far shorter ones are cut anyway.
MAX_SHOWN_INTEGER_BITS = 256


class TextError(ReasonError):
    """Text a landing file may not store (TEXT_CONTROL_CHARACTER, TEXT_TOO_LONG)."""


def stored_text(text: str, max_length: int) -> str:
    """`text` with layout characters as one space; TextError (TEXT_CONTROL_CHARACTER, TEXT_TOO_LONG) otherwise."""
    cleaned = without_layout(text)
    if len(cleaned) > max_length:
        raise TextError("TEXT_TOO_LONG", f"{shown(text)} has {len(cleaned)} characters, at most {max_length}")
    return cleaned


def without_layout(text: str) -> str:
    """`text` with layout characters as one space; TextError (TEXT_CONTROL_CHARACTER) for any other control."""
    cleaned = LAYOUT.sub(" ", text)
    forbidden = FORBIDDEN.search(cleaned)
    if forbidden:
        raise TextError(
            "TEXT_CONTROL_CHARACTER",
            f"{shown(text)} holds control character U+{ord(forbidden[0]):04X} at position {forbidden.start() + 1}",
        )
    return cleaned


def shown(value: object) -> str:
    """A value for a reason: repr (control characters escaped) cut to a few dozen characters; a list or object by
    its type alone, as its repr could be megabytes or nest deeper than Python's recursion limit."""
    if isinstance(value, int) and value.bit_length() > MAX_SHOWN_INTEGER_BITS:
        return f"an integer of {value.bit_length()} bits"
    if value is not None and not isinstance(value, bool | int | float | Decimal | str):
        return f"a {type(value).__name__}"
    text = str(value) if isinstance(value, Decimal) else repr(value)
    return text if len(text) <= SHOWN_CHARACTERS else f"{text[:SHOWN_CHARACTERS]}... ({len(text)} characters)"

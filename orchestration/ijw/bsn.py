"""The BSN check (elfproef), as described in ../shared/reference/ijw-3.2/elfproef.md."""

import functools
import re

_DIGITS_OFFSET = sum((9, 8, 7, 6, 5, 4, 3, 2, -1)) * ord("0")  # the weighted sum of the digits' ASCII offsets


def is_valid_bsn(value: str) -> bool:
    """True when value is nine digits whose weighted sum (9..2, -1) is divisible by 11.

    Test BSNs (999900006 to 999999990) satisfy the same check, so they need no exception here.
    """
    if len(value) != 9 or not value.isascii() or not value.isdigit():
        return False
    # Written out: this runs once per client record, a national year's millions of them.
    d = value.encode("ascii")
    total = (
        9 * d[0] + 8 * d[1] + 7 * d[2] + 6 * d[3] + 5 * d[4] + 4 * d[5] + 3 * d[6] + 2 * d[7] - d[8] - _DIGITS_OFFSET
    )
    return total % 11 == 0 and total != 0


BSNS_REMEMBERED = 1 << 18

remembered_is_valid_bsn = functools.lru_cache(maxsize=BSNS_REMEMBERED)(is_valid_bsn)
"""is_valid_bsn for the readers: a client recurs in every month's messages, so each process remembers the verdicts of
the last BSNS_REMEMBERED numbers it checked (the bound keeps a national year's memory in check)."""


_NINE_DIGITS = re.compile(r"(?<![0-9])[0-9]{9}(?![0-9])")
REDACTED_BSN = "[BSN redacted]"


def redact_bsns(text: str | None) -> str | None:
    """text with every run of exactly nine digits that passes the elfproef replaced: quarantine reasons quote values
    (a date, an amount, a code) that a provider may have filled with a BSN, and more people read them than the BSN
    may reach."""
    if text is None or not _NINE_DIGITS.search(text):
        return text
    return _NINE_DIGITS.sub(lambda match: REDACTED_BSN if is_valid_bsn(match.group()) else match.group(), text)

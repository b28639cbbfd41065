"""The BSN check (elfproef), as described in ../shared/reference/ijw-3.2/elfproef.md."""

_WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2, -1)


def is_valid_bsn(value: str) -> bool:
    """True when value is nine digits whose weighted sum (9..2, -1) is divisible by 11.

    Test BSNs (999900006 to 999999990) satisfy the same check, so they need no exception here.
    """
    if len(value) != 9 or not value.isascii() or not value.isdigit():
        return False
    total = sum(weight * int(digit) for weight, digit in zip(_WEIGHTS, value, strict=True))
    return total % 11 == 0 and total != 0

"""Fault injection into JW323 declarations, each fault named by the reason code the ingest must give it.

At most one fault per line and one file-level fault per file, and never a line fault inside a faulty file. Debits that
a later credit or duplicate refers to are never made faulty, nor are their files: the reference must stay meaningful,
so every fault costs exactly the records it names and nothing else.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import replace

from orchestration.generator import calibration as cal
from orchestration.generator.declarations import DeclarationFile, PlannedLine, References, later_file, next_month
from orchestration.ijw.bsn import is_valid_bsn

LINE_FAULTS = ("BSN_INVALID", "PRODUCT_CODE_UNKNOWN", "TR346", "CS337", "TR389", "CD060", "CS100")
FILE_FAULTS = ("TR358", "CS340", "XML_MALFORMED", "WRONG_BERICHTCODE")
UNKNOWN_PRODUCT_CODE = "99Z99"
WRONG_BERICHTCODE = 491


def inject(rng: random.Random, files: list[DeclarationFile], rate: float, references: References) -> None:
    if rate <= 0:
        return
    for declaration in files:
        if not any(planned.referenced for planned in declaration.lines) and rng.random() < rate:
            declaration.fault = rng.choice(FILE_FAULTS)
    for declaration in files:
        if declaration.fault is not None:
            continue
        for planned in list(declaration.lines):
            if _eligible(planned) and rng.random() < rate:
                _LINE_INJECTORS[rng.choice(LINE_FAULTS)](rng, files, declaration, planned, references)


def _eligible(planned: PlannedLine) -> bool:
    return planned.plain and not planned.referenced and planned.fault is None


def invalid_bsn(bsn: str) -> str:
    """The same BSN with its last digit changed: weight -1 moves the sum by 1 to 9, so the elfproef fails."""
    candidate = bsn[:-1] + str((int(bsn[-1]) + 1) % 10)
    assert not is_valid_bsn(candidate)
    return candidate


def _bsn_invalid(rng, files, declaration: DeclarationFile, planned: PlannedLine, references) -> None:
    same_client = [p for p in declaration.lines if p.bsn == planned.bsn]
    if not all(_eligible(p) for p in same_client):
        return
    wrong = invalid_bsn(planned.bsn)
    for p in same_client:
        p.bsn, p.fault = wrong, "BSN_INVALID"


def _product_code_unknown(rng, files, declaration, planned: PlannedLine, references) -> None:
    assert UNKNOWN_PRODUCT_CODE not in cal.known_product_codes()
    planned.line, planned.fault = replace(planned.line, product_code=UNKNOWN_PRODUCT_CODE), "PRODUCT_CODE_UNKNOWN"


def _tr346(rng: random.Random, files, declaration, planned: PlannedLine, references) -> None:
    wrong_amount = planned.line.amount_cents + rng.randint(1, 500)
    planned.line, planned.fault = replace(planned.line, amount_cents=wrong_amount), "TR346"


def _cs337(rng: random.Random, files, declaration, planned: PlannedLine, references) -> None:
    into_next_month = next_month(planned.line.period_start.replace(day=1)) + dt.timedelta(days=rng.randint(0, 9))
    planned.line, planned.fault = replace(planned.line, period_end=into_next_month), "CS337"


def _cs100(rng, files, declaration, planned: PlannedLine, references) -> None:
    start, end = planned.line.period_start, planned.line.period_end
    # 2020 is a leap year, so every day of any month has a twin there.
    moved = replace(planned.line, period_start=start.replace(year=2020), period_end=end.replace(year=2020))
    planned.line, planned.fault = moved, "CS100"


def _tr389(rng: random.Random, files, declaration: DeclarationFile, planned: PlannedLine, references) -> None:
    target = later_file(files, declaration) if rng.random() < 0.5 else None
    if target is None or target.fault is not None:
        target = declaration
    duplicate = replace(planned.line, reference_number=references.next())
    planned.referenced = True
    target.lines.append(PlannedLine(planned.bsn, duplicate, plain=False, fault="TR389"))


def _cd060(rng, files, declaration: DeclarationFile, planned: PlannedLine, references: References) -> None:
    # "N" never starts an issued reference, so the credit names no debit at all.
    orphan = replace(
        planned.line,
        reference_number=references.next(),
        previous_reference_number="N" + planned.line.reference_number[1:],
        amount_cents=-planned.line.amount_cents,
    )
    declaration.lines.append(PlannedLine(planned.bsn, orphan, plain=False, fault="CD060"))


_LINE_INJECTORS: dict[str, Callable[..., None]] = {
    "BSN_INVALID": _bsn_invalid,
    "PRODUCT_CODE_UNKNOWN": _product_code_unknown,
    "TR346": _tr346,
    "CS337": _cs337,
    "TR389": _tr389,
    "CD060": _cd060,
    "CS100": _cs100,
}

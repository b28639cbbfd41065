"""JW323 declarations derived from the event model: one line per allocation, product and month of delivered care.

A file holds one provider's lines for one municipality and one declared month (DeclaratiePeriode), sent 0-3 months
after that month. Corrections (a credit naming the debit it cancels, then a corrected debit for the same allocation,
product and period) travel in the provider's next declaration, so they always sort after the debit they correct.
"""

from __future__ import annotations

import calendar
import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from orchestration.generator import calibration as cal
from orchestration.generator.model import Allocation, Window
from orchestration.ijw.jw323 import Prestatie

CORRECTION_SHARE = 0.02
BSN_REFERENCE_EVERY = 16
"""One client in this many (by BSN) has a provider that writes the client's BSN as the ReferentieNummer of a line, as
some providers do; the ingest must replace it by its pseudonym. Chosen by the number, not the random stream, so the
rest of a world stays as it was."""


@dataclass(slots=True)
class PlannedLine:
    bsn: str
    line: Prestatie
    plain: bool = True
    """An ordinary debit; False for credits, corrected debits and lines added as faults."""
    referenced: bool = False
    """A later credit or duplicate refers to this debit, so it must stay valid for the reference to mean anything."""
    fault: str | None = None


@dataclass(slots=True)
class DeclarationFile:
    provider: str
    month: dt.date
    """First day of the declared month."""
    declared_on: dt.date
    lines: list[PlannedLine] = field(default_factory=list)
    fault: str | None = None


@dataclass
class References:
    """ReferentieNummer values, unique per municipality (and so per provider), in order of creation."""

    prefix: str
    issued: int = 0

    def next(self) -> str:
        self.issued += 1
        return f"R{self.prefix}{self.issued:010d}"


def month_end(first_day: dt.date) -> dt.date:
    return first_day.replace(day=calendar.monthrange(first_day.year, first_day.month)[1])


def next_month(first_day: dt.date, months: int = 1) -> dt.date:
    index = first_day.year * 12 + first_day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def amount_cents(unit_code: str, volume: int, tariff_cents: int) -> int:
    """TR346: volume x tariff; minutes are declared against an hourly tariff, so divided by 60 and rounded."""
    return round(volume * tariff_cents / 60) if unit_code == "01" else volume * tariff_cents


def _volume(allocation: Allocation, days: int) -> int:
    unit = allocation.product.unit_code
    if unit == "14":
        return days
    if unit == "82":
        return 1
    if unit == "01":
        return max(15, round(allocation.weekly_volume * days / 7 / 15) * 15)
    return max(1, round(allocation.weekly_volume * days / 7))


def _months(first: dt.date, last: dt.date) -> Iterator[dt.date]:
    month = first.replace(day=1)
    while month <= last:
        yield month
        month = next_month(month)


def delivered_lines(allocation: Allocation, window: Window, references: References) -> Iterator[Prestatie]:
    """One debit per month of care inside the window, from the effective start to the end (or the horizon)."""
    if not allocation.started_by(window.last_day):
        return
    first = max(allocation.start_on, window.first_day)
    last = min(allocation.end_on, window.last_day)
    for month in _months(first, last):
        period_start, period_end = max(first, month), min(last, month_end(month))
        volume = _volume(allocation, (period_end - period_start).days + 1)
        yield Prestatie(
            reference_number=references.next(),
            allocation_number=allocation.number,
            product_category=allocation.product.category,
            product_code=allocation.product.code,
            period_start=period_start,
            period_end=period_end,
            volume=volume,
            unit_code=allocation.product.unit_code,
            tariff_cents=allocation.tariff_cents,
            amount_cents=amount_cents(allocation.product.unit_code, volume, allocation.tariff_cents),
        )


def _declared_on(rng: random.Random, month: dt.date) -> dt.date:
    lag = int(rng.choices(list(cal.DECLARATION_LAG_MIX), weights=list(cal.DECLARATION_LAG_MIX.values()))[0])
    return next_month(month, 1 + lag) + dt.timedelta(days=rng.randint(2, 19))


def declaration_files(
    rng: random.Random, allocations: list[Allocation], window: Window, references: References
) -> list[DeclarationFile]:
    """The municipality's declarations in order of provider and month, corrections included."""
    files: dict[tuple[str, dt.date], DeclarationFile] = {}
    for allocation in allocations:
        for line in delivered_lines(allocation, window, references):
            key = (allocation.provider, line.period_start.replace(day=1))
            if key not in files:
                files[key] = DeclarationFile(allocation.provider, key[1], dt.date.min)
            files[key].lines.append(PlannedLine(allocation.bsn, line))
    ordered = [files[key] for key in sorted(files)]
    for declaration in ordered:
        declaration.declared_on = _declared_on(rng, declaration.month)
    _add_corrections(rng, ordered, references)
    return ordered


def later_file(files: list[DeclarationFile], after: DeclarationFile) -> DeclarationFile | None:
    """The provider's first declaration sent strictly after the given one (strictly: it must sort after it)."""
    later = [f for f in files if f.provider == after.provider and f.declared_on > after.declared_on]
    return min(later, key=lambda f: (f.declared_on, f.month)) if later else None


def _corrected_volume(rng: random.Random, line: Prestatie) -> int | None:
    if line.unit_code == "82":
        return None
    if line.unit_code == "14":
        return line.volume - rng.randint(1, 2) if line.volume > 2 else None
    if line.unit_code == "01":
        return line.volume + rng.choice((-30, -15, 15, 30)) if line.volume > 30 else line.volume + 15
    return line.volume + rng.choice((-1, 1)) if line.volume > 1 else line.volume + 1


def _add_corrections(rng: random.Random, files: list[DeclarationFile], references: References) -> None:
    for declaration in files:
        for planned in list(declaration.lines):
            # Only ordinary debits are corrected: a credit or an earlier correction landed in this later file too,
            # and "correcting" it would declare a second uncredited debit (TR389).
            if rng.random() >= CORRECTION_SHARE or not planned.plain:
                continue
            volume = _corrected_volume(rng, planned.line)
            target = later_file(files, declaration)
            if volume is None or target is None:
                continue
            original = planned.line
            credit = replace(
                original,
                reference_number=references.next(),
                previous_reference_number=original.reference_number,
                amount_cents=-original.amount_cents,
            )
            corrected = replace(
                original,
                reference_number=references.next(),
                volume=volume,
                amount_cents=amount_cents(original.unit_code, volume, original.tariff_cents or 0),
            )
            planned.referenced = True
            target.lines.append(PlannedLine(planned.bsn, credit, plain=False))
            target.lines.append(PlannedLine(planned.bsn, corrected, plain=False))


def use_bsns_as_references(files: list[DeclarationFile]) -> None:
    """The first fault-free debit of a provider to a chosen client takes the client's BSN as its reference (once per
    provider and client: a reference is delivered once, TR314), and a credit naming that debit names it so. Run after
    the faults are injected, so the manifest lists no BSN and the random stream is the one without it."""
    used: set[tuple[str, str]] = set()
    renamed: dict[tuple[str, str], str] = {}
    for declaration in files:
        for planned in declaration.lines:
            line, key = planned.line, (declaration.provider, planned.bsn)
            chosen = planned.fault is None and line.amount_cents >= 0 and int(planned.bsn) % BSN_REFERENCE_EVERY == 0
            if chosen and key not in used:
                used.add(key)
                renamed[(declaration.provider, line.reference_number)] = planned.bsn
                planned.line = replace(line, reference_number=planned.bsn)
    for declaration in files:
        for planned in declaration.lines:
            previous = planned.line.previous_reference_number
            if previous is not None and (declaration.provider, previous) in renamed:
                planned.line = replace(
                    planned.line, previous_reference_number=renamed[(declaration.provider, previous)]
                )

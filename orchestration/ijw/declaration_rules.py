"""Declaration rules that need what earlier files delivered (iJw 3.2):

- TR314: a ReferentieNummer is delivered once per provider, debit or credit (a reused one would let one credit,
  which names its debit by that number, cancel two debits);
- TR389/TR416: one uncredited debit per allocation, product and period (a provider corrects a line by crediting it
  first and then declaring it again);
- CD060: a credit names, in VorigReferentieNummer, an earlier debit of the same provider that is not credited yet
  (TR323, TR390), and mirrors it: same municipality, client, allocation, product, period and amount, since the netting
  cancels the whole debit.

Within a file, credits are applied before debits, so a file that credits a line and declares it again is accepted
whatever the order of its lines.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from orchestration.ijw.jw323 import DeclarationLine
from orchestration.ijw.reader import record_place

DebitKey = tuple[str, int, str, dt.date]
"""(provider_agb, allocation_number, product_code, period_start)"""
Mirror = tuple[str, str, int, str, dt.date, int]
"""(municipality_code, client_key, allocation_number, product_code, period_start, |amount_cents|): what a credit must
repeat of its debit."""


def debit_key(line: DeclarationLine) -> DebitKey:
    return (line.provider_agb, line.allocation_number, line.product_code, line.period_start)


def mirror(line: DeclarationLine) -> Mirror:
    return (
        line.municipality_code,
        line.client_key,
        line.allocation_number,
        line.product_code,
        line.period_start,
        abs(line.amount_cents),
    )


@dataclass
class DebitBook:
    """The accepted lines a file can refer to: every reference delivered (per provider), the debits by reference,
    which are credited, and the keys that have an uncredited debit (at most one each, by TR389)."""

    references: set[tuple[str, str]] = field(default_factory=set)
    """(provider_agb, reference_number) of every accepted line, debit or credit"""
    debits: dict[tuple[str, str], tuple[DebitKey, Mirror]] = field(default_factory=dict)
    """(provider_agb, reference_number) -> key and mirror of an accepted debit"""
    credited: set[tuple[str, str]] = field(default_factory=set)
    open_keys: dict[DebitKey, str] = field(default_factory=dict)
    """key -> where its uncredited debit is (reference, file and line), which a TR389 rejection names"""

    def add_debit(
        self, provider_agb: str, reference_number: str, key: DebitKey, mirrored: Mirror, place: str = ""
    ) -> None:
        self.references.add((provider_agb, reference_number))
        self.debits[(provider_agb, reference_number)] = (key, mirrored)
        if (provider_agb, reference_number) not in self.credited:
            self.open_keys[key] = place or f"ReferentieNummer {reference_number}"

    def add_credit(self, provider_agb: str, reference_number: str, previous_reference_number: str) -> None:
        self.references.add((provider_agb, reference_number))
        self.credited.add((provider_agb, previous_reference_number))
        debit = self.debits.get((provider_agb, previous_reference_number))
        if debit is not None:
            self.open_keys.pop(debit[0], None)


@dataclass(frozen=True)
class Verdict:
    line: DeclarationLine
    reason_code: str
    reason: str


def _credit_verdict(credit: DeclarationLine, book: DebitBook) -> Verdict | None:
    previous = credit.previous_reference_number
    target = (credit.provider_agb, previous or "")
    if (credit.provider_agb, credit.reference_number) in book.references:
        return Verdict(credit, "TR314", f"ReferentieNummer {credit.reference_number} was delivered before")
    if previous is None:
        return Verdict(credit, "CD060", "a credit line lacks VorigReferentieNummer")
    if target not in book.debits:
        return Verdict(credit, "CD060", f"credit names {previous}, which is no accepted debit of this provider")
    if target in book.credited:
        return Verdict(credit, "CD060", f"debit {previous} was already credited")
    key, mirrored = book.debits[target]
    if key != debit_key(credit) or mirrored != mirror(credit):
        return Verdict(
            credit,
            "CD060",
            f"credit does not mirror debit {previous} (municipality, client, allocation, product, period and amount)",
        )
    return None


def debit_place(reference_number: str, file_path: str, source_line: int, source_record: int) -> str:
    """An accepted debit as a TR389 rejection names it: its reference, file, line and record."""
    return f"ReferentieNummer {reference_number} in {file_path} {record_place(source_line, source_record)}"


def apply_cross_file_rules(
    lines: Iterable[DeclarationLine], book: DebitBook, file_path: str = ""
) -> tuple[list[DeclarationLine], list[Verdict]]:
    """Split lines (of the file at file_path) into accepted and rejected, updating book as accepted lines take
    effect."""
    lines = list(lines)
    accepted: list[DeclarationLine] = []
    rejected: list[Verdict] = []
    for credit in (line for line in lines if line.is_credit):
        verdict = _credit_verdict(credit, book)
        if verdict is not None:
            rejected.append(verdict)
            continue
        book.add_credit(credit.provider_agb, credit.reference_number, credit.previous_reference_number)
        accepted.append(credit)
    for debit in (line for line in lines if not line.is_credit):
        key = debit_key(debit)
        if (debit.provider_agb, debit.reference_number) in book.references:
            rejected.append(Verdict(debit, "TR314", f"ReferentieNummer {debit.reference_number} was delivered before"))
            continue
        if key in book.open_keys:
            rejected.append(
                Verdict(
                    debit,
                    "TR389",
                    f"allocation {debit.allocation_number}, product {debit.product_code}, period {debit.period_start} "
                    f"already has an uncredited debit: {book.open_keys[key]}",
                )
            )
            continue
        place = debit_place(debit.reference_number, file_path, debit.source_line, debit.source_record)
        book.add_debit(debit.provider_agb, debit.reference_number, key, mirror(debit), place)
        accepted.append(debit)
    return sorted(accepted, key=lambda line: line.source_record), rejected

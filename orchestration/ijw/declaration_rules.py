"""Declaration rules that need what earlier files delivered (iJw 3.2):

- TR389/TR416: one uncredited debit per allocation, product and period (a provider corrects a line by crediting it
  first and then declaring it again);
- CD060: a credit names, in VorigReferentieNummer, an earlier debit of the same provider that is not credited yet,
  and mirrors it (same allocation, product and period).

Within a file, credits are applied before debits, so a file that credits a line and declares it again is accepted
whatever the order of its lines.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from orchestration.ijw.jw323 import DeclarationLine

DebitKey = tuple[str, int, str, dt.date]
"""(provider_agb, allocation_number, product_code, period_start)"""


def debit_key(line: DeclarationLine) -> DebitKey:
    return (line.provider_agb, line.allocation_number, line.product_code, line.period_start)


@dataclass
class DebitBook:
    """The accepted debits a file can refer to: by reference (per provider), which are credited, and the keys that
    have an uncredited debit (at most one each, by TR389)."""

    debits: dict[tuple[str, str], DebitKey] = field(default_factory=dict)
    """(provider_agb, reference_number) -> key of an accepted debit"""
    credited: set[tuple[str, str]] = field(default_factory=set)
    open_keys: set[DebitKey] = field(default_factory=set)

    def add_debit(self, provider_agb: str, reference_number: str, key: DebitKey) -> None:
        self.debits[(provider_agb, reference_number)] = key
        if (provider_agb, reference_number) not in self.credited:
            self.open_keys.add(key)

    def add_credit(self, provider_agb: str, previous_reference_number: str) -> None:
        self.credited.add((provider_agb, previous_reference_number))
        key = self.debits.get((provider_agb, previous_reference_number))
        if key is not None:
            self.open_keys.discard(key)


@dataclass(frozen=True)
class Verdict:
    line: DeclarationLine
    reason_code: str
    reason: str


def apply_cross_file_rules(
    lines: Iterable[DeclarationLine], book: DebitBook
) -> tuple[list[DeclarationLine], list[Verdict]]:
    """Split lines into accepted and rejected, updating book as accepted lines take effect."""
    lines = list(lines)
    accepted: list[DeclarationLine] = []
    rejected: list[Verdict] = []
    for credit in (line for line in lines if line.is_credit):
        target = (credit.provider_agb, credit.previous_reference_number or "")
        if credit.previous_reference_number is None:
            rejected.append(Verdict(credit, "CD060", "a credit line lacks VorigReferentieNummer"))
        elif target not in book.debits:
            rejected.append(
                Verdict(
                    credit, "CD060", f"credit names debit {credit.previous_reference_number}, which was not accepted"
                )
            )
        elif target in book.credited:
            rejected.append(Verdict(credit, "CD060", f"debit {credit.previous_reference_number} was already credited"))
        elif book.debits[target] != debit_key(credit):
            rejected.append(
                Verdict(credit, "CD060", f"credit does not mirror debit {credit.previous_reference_number}")
            )
        else:
            book.add_credit(*target)
            accepted.append(credit)
    for debit in (line for line in lines if not line.is_credit):
        key = debit_key(debit)
        if key in book.open_keys:
            rejected.append(
                Verdict(
                    debit,
                    "TR389",
                    f"allocation {debit.allocation_number}, product {debit.product_code}, period {debit.period_start} "
                    "already has an uncredited debit",
                )
            )
            continue
        book.add_debit(debit.provider_agb, debit.reference_number, key)
        accepted.append(debit)
    return sorted(accepted, key=lambda line: line.source_line), rejected

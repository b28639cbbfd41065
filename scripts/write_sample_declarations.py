"""Write the small JW323 sample shipped in seeds/sample/ijw/ (so `make run` works offline).

Two providers, four municipalities in three regions, August to November 2024 (two quarters), one credit that
corrects an earlier debit, and one client whose BSN fails the elfproef (to show line quarantine). Deterministic.

Usage: uv run python scripts/write_sample_declarations.py [OUTPUT_DIR]
"""

from __future__ import annotations

import calendar
import datetime as dt
import random
import sys
from pathlib import Path

from orchestration.ijw.bsn import is_valid_bsn
from orchestration.ijw.jw323_writer import Declaration, Line, render

OUTPUT_DIR = Path(__file__).resolve().parents[1] / "seeds" / "sample" / "ijw"
MONTHS = [(2024, 8), (2024, 9), (2024, 10), (2024, 11)]
# Fictitious AGB codes; real AGB codes identify real organisations.
PROVIDERS = {
    "98000011": ["0392", "0453", "0361"],  # Haarlem, Velsen, Alkmaar
    "98000022": ["0268", "0392"],  # Nijmegen, Haarlem
}
# (product category, product code, unit WJ756, tariff in cents per unit)
PRODUCTS = [
    ("45", "45A04", "04", 9_850),  # ambulant, per hour
    ("45", "45A48", "01", 10_200),  # ambulant, per minute on an hourly tariff (TR346: /60, rounded)
    ("45", "45A03", "82", 118_000),  # diagnostiek, per product
    ("44", "44A01", "14", 18_450),  # verblijf, per etmaal
]


def test_bsns(rng: random.Random, count: int) -> list[str]:
    """BSNs from the official test range (999900006-999999990) that pass the elfproef."""
    found: set[str] = set()
    while len(found) < count:
        candidate = str(rng.randint(999_900_006, 999_999_990))
        if is_valid_bsn(candidate):
            found.add(candidate)
    return sorted(found)


def amount_for(unit: str, volume: int, tariff: int) -> int:
    return round(volume * tariff / 60) if unit == "01" else volume * tariff


def month_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def build_world(rng: random.Random) -> list[Declaration]:
    declarations: list[Declaration] = []
    allocation_counter = 4_100_000
    for provider, gemeenten in PROVIDERS.items():
        for gemeente in gemeenten:
            clients = {}
            for bsn in test_bsns(rng, rng.randint(4, 6)):
                allocation_counter += 1
                clients[bsn] = (allocation_counter, rng.choice(PRODUCTS))
            for year, month in MONTHS:
                start, end = month_bounds(year, month)
                declaration = Declaration(
                    provider_agb=provider,
                    gemeente_code=gemeente,
                    message_id=f"M{provider[-2:]}{gemeente}{year % 100}{month:02d}",
                    declaration_number=f"D{provider[-2:]}{gemeente}{month:02d}",
                    period_start=start,
                    period_end=end,
                    declaration_date=end + dt.timedelta(days=rng.randint(5, 20)),
                )
                for index, (bsn, (allocation, (category, code, unit, tariff))) in enumerate(clients.items()):
                    volume = (
                        end.day
                        if unit == "14"
                        else 1
                        if unit == "82"
                        else rng.randint(2, 12) * (60 if unit == "01" else 1)
                    )
                    declaration.clients[bsn] = [
                        Line(
                            reference_number=f"R{provider[-2:]}{gemeente}{month:02d}{index:02d}",
                            allocation_number=allocation,
                            product_category=category,
                            product_code=code,
                            period_start=start,
                            period_end=end,
                            volume=volume,
                            unit_code=unit,
                            tariff_cents=tariff,
                            amount_cents=amount_for(unit, volume, tariff),
                        )
                    ]
                declarations.append(declaration)
    return declarations


def add_correction(declarations: list[Declaration]) -> None:
    """The first provider credits an August hourly line in Haarlem and declares the volume actually delivered."""
    august = next(d for d in declarations if d.gemeente_code == "0392" and d.period_start.month == 8)
    bsn, (original,) = next((bsn, lines) for bsn, lines in august.clients.items() if lines[0].unit_code == "04")
    corrected_volume = original.volume + 3
    credit = Line(
        **{
            **original.__dict__,
            "reference_number": original.reference_number + "C",
            "previous_reference_number": original.reference_number,
            "amount_cents": -original.amount_cents,
        }
    )
    redeclared = Line(
        **{
            **original.__dict__,
            "reference_number": original.reference_number + "N",
            "volume": corrected_volume,
            "amount_cents": amount_for(original.unit_code, corrected_volume, original.tariff_cents or 0),
        }
    )
    declarations.append(
        Declaration(
            provider_agb=august.provider_agb,
            gemeente_code=august.gemeente_code,
            message_id=august.message_id + "C",
            declaration_number=august.declaration_number + "C",
            period_start=august.period_start,
            period_end=august.period_end,
            declaration_date=dt.date(2024, 11, 12),
            clients={bsn: [credit, redeclared]},
        )
    )


def add_invalid_bsn(declarations: list[Declaration]) -> None:
    """One September Nijmegen client arrives with a BSN that fails the elfproef (digits swapped by a typist)."""
    september = next(d for d in declarations if d.gemeente_code == "0268" and d.period_start.month == 9)
    bsn, lines = next(iter(september.clients.items()))
    broken = bsn[:-2] + bsn[-1] + bsn[-2]
    if is_valid_bsn(broken) or broken == bsn:
        broken = bsn[:-1] + str((int(bsn[-1]) + 1) % 10)
    september.clients = {broken if key == bsn else key: value for key, value in september.clients.items()}


def main(output_dir: Path) -> None:
    rng = random.Random(20241130)
    declarations = build_world(rng)
    add_correction(declarations)
    add_invalid_bsn(declarations)
    output_dir.mkdir(parents=True, exist_ok=True)
    for old in output_dir.glob("*.xml"):
        old.unlink()
    for declaration in declarations:
        name = f"JW323_{declaration.provider_agb}_{declaration.gemeente_code}_{declaration.declaration_number}.xml"
        (output_dir / name).write_bytes(render(declaration))
    print(f"wrote {len(declarations)} JW323 messages to {output_dir}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else OUTPUT_DIR)

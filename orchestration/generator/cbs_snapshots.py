"""The CBS snapshots of a synthetic world (<out>/cbs/): population on 1 January (03759ned) and Gebieden in Nederland
(85755NED) for the generated municipalities and the seed's, so the warehouse's population denominators and its
municipality -> region mapping agree with the iJw traffic of the same world (docs/generator.md).
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from orchestration.cbs.snapshot_builder import gebieden_bundle, gebieden_row, population_bundle, population_rows
from orchestration.generator import calibration as cal
from orchestration.generator.calibration import Municipality

POPULATION_FILE = Path("cbs", "03759ned_generated.json")
GEBIEDEN_FILE = Path("cbs", "85755NED_generated.json")
# The world has no labour-market or GGD regions; 85755NED carries them before the jeugdzorgregio, so they are filled
# with a code the readers never take for a jeugdzorgregio.
_UNKNOWN_LABOUR = ("AM00", "Arbeidsmarktregio (synthetisch)")
_UNKNOWN_GGD = ("GG0000", "GGD-regio (synthetisch)")
# Young adults 18-22 against the youth 0-17: five cohorts of about the size of the younger ones (roughly a third of
# the youth 0-17 in the Netherlands).
YOUNG_ADULTS_PER_YOUTH = 0.3


def world_youth(municipality: Municipality, scale: float) -> int:
    """Youth 0-17 of the municipality in a world of this scale: the denominator its traffic was calibrated on."""
    return max(1, round(municipality.youth_population * scale))


def world_young_adults(municipality: Municipality, scale: float) -> int:
    """Young adults 18-22 of the municipality in a world of this scale (03759ned's ages 18-22)."""
    return round(world_youth(municipality, scale) * YOUNG_ADULTS_PER_YOUTH)


def world_youth_0_22(municipality: Municipality, scale: float) -> int:
    """Youth 0-22 on 1 January, the denominator of youth_in_care_share (CBS's band for jeugdhulp)."""
    return world_youth(municipality, scale) + world_young_adults(municipality, scale)


def _names(municipalities: list[Municipality]) -> tuple[dict[str, str], dict[str, str]]:
    known_municipalities, known_regions = cal.default_names()
    municipality_names = {
        m.code: known_municipalities.get(m.code, f"Gemeente {m.code4} (synthetisch)") for m in municipalities
    }
    region_names = {
        m.region_code: known_regions.get(m.region_code, f"Jeugdzorgregio {m.region_code[2:]} (synthetisch)")
        for m in municipalities
    }
    return municipality_names, region_names


def population_snapshot(seed: int, municipalities: list[Municipality], years: list[int], scale: float) -> dict:
    """Every municipality and NL01 (the world's own nation: the sum of its municipalities) for each year; the total
    population follows from the municipality's youth share, so it stays plausible at any scale."""
    rng = random.Random(f"{seed}:cbs:population")
    ordered = sorted(municipalities, key=lambda m: m.code)
    figures = {
        m.code: (
            world_youth(m, scale),
            world_young_adults(m, scale),
            round(world_youth(m, scale) / cal.youth_share(m.code)),
        )
        for m in ordered
    }
    figures["NL01"] = tuple(sum(column) for column in zip(*figures.values(), strict=True))
    rows = [
        row
        for year in years
        for code, (youth, young_adults, total) in figures.items()
        for row in population_rows(code, f"{year}JJ00", youth, young_adults, total, rng)
    ]
    names, _ = _names(ordered)
    regions = [*sorted(names.items()), ("NL01", "Nederland")]
    return population_bundle(rows, regions, {f"{year}JJ00": "Definitief" for year in years})


def gebieden_snapshot(municipalities: list[Municipality], year: int) -> dict:
    """Each generated municipality in its jeugdzorgregio, as Gebieden in Nederland of the window's last year."""
    ordered = sorted(municipalities, key=lambda m: m.code)
    names, region_names = _names(ordered)
    rows = [
        gebieden_row(
            m.code,
            f"{year}JJ00",
            _UNKNOWN_LABOUR,
            _UNKNOWN_GGD,
            (m.region_code, region_names[m.region_code]),
        )
        for m in ordered
    ]
    return gebieden_bundle(rows, sorted(names.items()), year)


def write_snapshots(
    out: Path, seed: int, municipalities: list[Municipality], years: list[int], scale: float
) -> list[dict]:
    """Writes both snapshots and returns the youth 0-17 and 0-22 of each municipality and year they hold (for the
    truth)."""
    snapshots = {
        POPULATION_FILE: population_snapshot(seed, municipalities, years, scale),
        GEBIEDEN_FILE: gebieden_snapshot(municipalities, years[-1]),
    }
    for relative, content in snapshots.items():
        path = out / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written like the sample snapshots (ensure_ascii off, indent 1): one format for every snapshot in landing.
        path.write_text(json.dumps(content, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return [
        {
            "municipality_code": m.code,
            "year": year,
            "youth_population": world_youth(m, scale),
            "youth_0_22": world_youth_0_22(m, scale),
        }
        for m in sorted(municipalities, key=lambda m: m.code)
        for year in years
    ]

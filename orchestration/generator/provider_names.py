"""Names for the world's fictitious providers, in the seed format the region maintains (seeds/reference/
provider_names.csv: provider_agb, provider_name), so a report of a generated world names providers as a region's
report does. Invented names, fixed by the AGB code alone (not by the seed), unique within the file."""

from __future__ import annotations

import hashlib

NAMES_FILE = "provider_names.csv"
_STEMS = (
    "De Linde",
    "Het Kompas",
    "De Waalboog",
    "Oosterpoort",
    "De Berkenhof",
    "Het Baken",
    "De Vlinder",
    "Duinzicht",
    "De Hoeve",
    "Het Anker",
    "De Brug",
    "Zonnehoek",
    "De Kering",
    "Veldzicht",
    "Het Palet",
    "De Boomgaard",
    "Rivierzicht",
    "De Wissel",
    "Het Lichtpunt",
    "De Meander",
    "Kennemerhof",
    "De Horizon",
    "Het Ravelijn",
    "De Esch",
)
_FORMS = (
    "Stichting {stem}",
    "{stem} Jeugdhulp",
    "Jeugd en Gezin {stem}",
    "Praktijk {stem}",
    "Jeugd-GGZ {stem}",
    "Orthopedagogisch Centrum {stem}",
    "Gezinshuis {stem}",
    "Zorggroep {stem}",
)


def _draw(agb: str, what: str, count: int) -> int:
    return int.from_bytes(hashlib.sha256(f"provider-name:{what}:{agb}".encode()).digest()[:8], "big") % count


def provider_names(agbs: list[str]) -> str:
    """The seed CSV text: one name per AGB code, by code. Each code draws a stem and a form; a stem another code took
    first moves to the next free one until every stem is used, so names in one file are told apart by their stem."""
    free: list[str] = []
    rows = ["provider_agb,provider_name"]
    for agb in sorted(set(agbs)):
        free = free or list(_STEMS)
        stem = free.pop(_draw(agb, "stem", len(free)))
        rows.append(f"{agb},{_FORMS[_draw(agb, 'form', len(_FORMS))].format(stem=stem)}")
    return "\n".join(rows) + "\n"

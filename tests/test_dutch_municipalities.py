"""seeds/reference/dutch_municipalities.csv: every Dutch municipality, written from a CBS Gebieden in Nederland table by
scripts/write_dutch_municipalities.py and consistent with the regions' own list (seeds/reference/municipalities.csv)."""

import csv
import json

import pytest

from orchestration.cbs.snapshot_builder import gebieden_bundle, gebieden_row
from scripts.write_dutch_municipalities import REFERENCE_GEBIEDEN_2016, SEED, municipality_rows, render
from tests.conftest import REPO_ROOT

REGION_SEED = REPO_ROOT / "seeds" / "reference" / "municipalities.csv"


def read_csv(path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_the_seed_is_what_the_script_writes_from_the_reference_gebieden_table():
    if not REFERENCE_GEBIEDEN_2016.exists():
        pytest.skip(
            f"{REFERENCE_GEBIEDEN_2016} not found: it is CBS table 83287NED (Gebieden in Nederland 2016) from "
            "opendata.cbs.nl, kept in ../shared/reference/cbs"
        )
    assert SEED.read_text(encoding="utf-8") == render(municipality_rows(REFERENCE_GEBIEDEN_2016))


def test_the_seed_holds_every_municipality_of_the_table_once_with_a_jeugdzorgregio():
    rows = read_csv(SEED)
    codes = [row["municipality_code"] for row in rows]
    # 83287NED lists 390 municipalities in 42 jeugdzorgregio's (../shared/reference/README.md).
    assert len(codes) == len(set(codes)) == 390
    assert len({row["region_code"] for row in rows}) == 42
    assert all(code.startswith("GM") and len(code) == 6 for code in codes)


def test_the_regions_own_municipalities_lie_in_the_same_region_in_the_reference_list():
    reference = {row["municipality_code"]: row["region_code"] for row in read_csv(SEED)}
    own = {row["municipality_code"]: row["region_code"] for row in read_csv(REGION_SEED)}
    assert {code: region for code, region in own.items() if code in reference} == {
        code: reference[code] for code in own if code in reference
    }
    # Only Dijk en Waard (2022) is newer than the 2016 table; dim_municipality takes it from the regions' list.
    assert set(own) - set(reference) == {"GM1980"}


def test_a_gebieden_snapshot_gives_names_and_sorted_codes(tmp_path):
    rows = [
        gebieden_row("GM0384", "2025JJ00", ("AM01", "Arbeidsmarkt A"), ("GG01", "GGD A"), ("JZ13", "Amstelland")),
        gebieden_row("GM0034", "2025JJ00", ("AM02", "Arbeidsmarkt B"), ("GG02", "GGD B"), ("JZ08", "Flevoland")),
    ]
    snapshot = tmp_path / "86059NED.json"
    snapshot.write_text(
        json.dumps(gebieden_bundle(rows, [("GM0384", "Diemen"), ("GM0034", "Almere")], 2025)), encoding="utf-8"
    )
    assert municipality_rows(snapshot) == [
        {
            "municipality_code": "GM0034",
            "municipality_name": "Almere",
            "region_code": "JZ08",
            "region_name": "Flevoland",
            "gebieden_table": "85755NED",
            "gebieden_year": "2025",
        },
        {
            "municipality_code": "GM0384",
            "municipality_name": "Diemen",
            "region_code": "JZ13",
            "region_name": "Amstelland",
            "gebieden_table": "85755NED",
            "gebieden_year": "2025",
        },
    ]


def test_a_table_naming_a_municipality_twice_is_refused(tmp_path):
    table = tmp_path / "gebieden.json"
    table.write_text(json.dumps({"reg": ["GM0384", "GM0384"], "Jeugdzorgregios": ["JZ13", "JZ14"]}), encoding="utf-8")
    with pytest.raises(ValueError, match="named twice"):
        municipality_rows(table)

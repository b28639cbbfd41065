"""The CBS snapshots of a generated world, read by the warehouse's own CBS readers, agree with its ground truth."""

import csv
import json
from collections import defaultdict
from pathlib import Path

import pytest

from orchestration.cbs.datasets import POPULATION, REGIONS, read_dataset_file
from orchestration.generator.cbs_snapshots import GEBIEDEN_FILE, POPULATION_FILE
from orchestration.generator.world import Options, generate

REPO_ROOT = Path(__file__).resolve().parents[1]
AREAS_2016 = REPO_ROOT / "orchestration" / "generator" / "municipalities_2016.csv"
SEED = REPO_ROOT / "seeds" / "reference" / "municipalities.csv"
# A default municipality and one known only from the 2016 area file, in different regions; the window spans two
# years so the snapshot must hold each of them.
WORLD = {
    "municipalities": ("GM0252", "GM0003"),
    "first_quarter": "2023-Q4",
    "last_quarter": "2024-Q1",
    "scale": 0.05,
    "fault_rate": 0.0,
}


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("cbs_world")
    generate(Options(out=out, seed=5, **WORLD))
    return out


def _csv(path: Path, value: str) -> dict[str, str]:
    with path.open(newline="", encoding="utf-8") as handle:
        return {row["municipality_code"]: row[value] for row in csv.DictReader(handle)}


def test_youth_per_municipality_and_year_equals_the_ground_truth(world):
    parsed = read_dataset_file(world / POPULATION_FILE, POPULATION)
    assert parsed.rejections == []
    youth: dict[tuple[str, int], int] = defaultdict(int)
    youth_0_22: dict[tuple[str, int], int] = defaultdict(int)
    for row in parsed.records:
        if row["age_years"] is not None:
            youth_0_22[row["scope_code"], row["year"]] += row["persons"]
            youth[row["scope_code"], row["year"]] += row["persons"] if row["age_years"] <= 17 else 0
    truth = json.loads((world / "ground_truth.json").read_text())
    generated = {
        (row["municipality_code"], row["year"]): row["youth_population"] for row in truth["by_municipality_year"]
    }
    assert set(generated) == {(code, year) for code in WORLD["municipalities"] for year in (2023, 2024)}
    recorded = {
        (row["municipality_code"], row["year"]): row["youth_population"] for row in truth["cbs_youth_population"]
    }
    assert {key: recorded[key] for key in generated} == generated
    # The seed's municipalities are in the warehouse's scope, so they have a population even without traffic.
    assert {code for code, _ in recorded} == set(WORLD["municipalities"]) | set(_csv(SEED, "region_code"))
    assert {key: value for key, value in youth.items() if key[0] != "NL01"} == recorded
    # The youth 0-22 the truth divides youth_in_care_share by: the 0-17 plus the snapshot's ages 18-22.
    recorded_0_22 = {
        (row["municipality_code"], row["year"]): row["youth_0_22"] for row in truth["cbs_youth_population"]
    }
    assert {key: value for key, value in youth_0_22.items() if key[0] != "NL01"} == recorded_0_22
    assert all(recorded_0_22[key] > recorded[key] for key in recorded)
    for year in (2023, 2024):
        assert youth["NL01", year] == sum(value for (_, y), value in recorded.items() if y == year)
        totals = {
            row["scope_code"]: row["persons"]
            for row in parsed.records
            if row["age_years"] is None and row["year"] == year
        }
        # Youth is 18-21% of the inhabitants.
        assert all(0.17 < youth[code, year] / totals[code] < 0.22 for code, y in recorded if y == year)


def test_region_mapping_follows_the_area_file_and_the_seed(world):
    parsed = read_dataset_file(world / GEBIEDEN_FILE, REGIONS)
    assert parsed.rejections == []
    mapping = {row["municipality_code"]: row["region_code"] for row in parsed.records}
    areas, seed = _csv(AREAS_2016, "region_code"), _csv(SEED, "region_code")
    assert {code: mapping[code] for code in WORLD["municipalities"]} == {
        code: areas[code] for code in WORLD["municipalities"]
    }
    assert {code: mapping[code] for code in seed} == seed
    assert set(mapping) == set(WORLD["municipalities"]) | set(seed)
    assert {row["year"] for row in parsed.records} == {2024}
    names = {row["municipality_code"]: row["municipality_name"] for row in parsed.records}
    assert {code: names[code] for code in seed} == _csv(SEED, "municipality_name")
    assert all(row["municipality_name"] and row["region_name"] for row in parsed.records)


def test_same_seed_gives_the_same_snapshot_bytes(world, tmp_path):
    generate(Options(out=tmp_path, seed=5, **WORLD))
    for relative in (POPULATION_FILE, GEBIEDEN_FILE):
        assert (tmp_path / relative).read_bytes() == (world / relative).read_bytes()

"""The CBS snapshots of a generated world, read by the warehouse's own CBS readers, agree with its ground truth."""

import csv
import json
from collections import defaultdict
from pathlib import Path

import pytest

from orchestration.cbs.datasets import POPULATION, REGIONS, read_dataset_file
from orchestration.generator.cbs_snapshots import GEBIEDEN_FILE, POPULATION_FILE
from orchestration.generator.world import Options, generate

AREAS_2016 = Path(__file__).resolve().parents[1] / "orchestration" / "generator" / "municipalities_2016.csv"
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


def test_youth_per_municipality_and_year_equals_the_ground_truth(world):
    parsed = read_dataset_file(world / POPULATION_FILE, POPULATION)
    assert parsed.rejections == []
    youth: dict[tuple[str, int], int] = defaultdict(int)
    for row in parsed.rows:
        if row["age_years"] is not None:
            youth[row["scope_code"], row["year"]] += row["persons"]
    truth = json.loads((world / "ground_truth.json").read_text())
    expected = {
        (row["municipality_code"], row["year"]): row["youth_population"] for row in truth["by_municipality_year"]
    }
    assert set(expected) == {(code, year) for code in WORLD["municipalities"] for year in (2023, 2024)}
    assert {key: value for key, value in youth.items() if key[0] != "NL01"} == expected
    for year in (2023, 2024):
        assert youth["NL01", year] == sum(value for (_, y), value in expected.items() if y == year)
        totals = {
            row["scope_code"]: row["persons"] for row in parsed.rows if row["age_years"] is None and row["year"] == year
        }
        # Youth is 18-21% of the inhabitants.
        assert all(0.17 < youth[code, year] / totals[code] < 0.22 for code in WORLD["municipalities"])


def test_region_mapping_equals_the_2016_area_file(world):
    parsed = read_dataset_file(world / GEBIEDEN_FILE, REGIONS)
    assert parsed.rejections == []
    with AREAS_2016.open(newline="", encoding="utf-8") as handle:
        areas = {row["municipality_code"]: row["region_code"] for row in csv.DictReader(handle)}
    assert {row["municipality_code"]: row["region_code"] for row in parsed.rows} == {
        code: areas[code] for code in WORLD["municipalities"]
    }
    assert {row["year"] for row in parsed.rows} == {2024}
    assert all(row["municipality_name"] and row["region_name"] for row in parsed.rows)


def test_same_seed_gives_the_same_snapshot_bytes(world, tmp_path):
    generate(Options(out=tmp_path, seed=5, **WORLD))
    for relative in (POPULATION_FILE, GEBIEDEN_FILE):
        assert (tmp_path / relative).read_bytes() == (world / relative).read_bytes()

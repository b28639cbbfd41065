"""docs/kpis.md is generated from the KPI catalogue: a catalogue change without `make kpi-docs` fails here."""

import csv

from scripts.render_kpi_docs import CATALOGUE, KPI_DOCS, POLICY_GOALS, read_catalogue, render
from tests.conftest import REPO_ROOT

UNITS = {"count", "percent", "EUR", "EUR_per_client", "EUR_per_trajectory", "days"}
LEVERS = {"beliefs", "boundaries", "diagnostic", "interactive"}


def test_committed_kpi_docs_match_the_catalogue():
    assert KPI_DOCS.read_text(encoding="utf-8") == render(read_catalogue()), "run `make kpi-docs` and commit"


def test_every_catalogue_row_is_complete_and_uses_the_agreed_vocabularies():
    rows = read_catalogue()
    assert len({row["kpi_id"] for row in rows}) == len(rows)
    for row in rows:
        assert row["unit"] in UNITS and row["lever"] in LEVERS and row["policy_goal"] in POLICY_GOALS, row["kpi_id"]
        assert row["direction"] in {"higher_is_better", "lower_is_better"}, row["kpi_id"]
        assert row["name_nl"] and row["name_en"] and row["definition"] and row["source_document"], row["kpi_id"]
        # A rate needs a denominator, a level has none: suppression in the published copy relies on it.
        assert (row["denominator_kind"] == "none") == (row["unit"] in {"count", "EUR"}), row["kpi_id"]


def test_the_seed_declares_every_catalogue_column():
    seeds_yml = (REPO_ROOT / "seeds" / "reference" / "_seeds.yml").read_text(encoding="utf-8")
    with CATALOGUE.open(newline="", encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    block = seeds_yml[seeds_yml.index("- name: kpi_catalogue") :]
    assert all(f"{column}:" in block for column in header)

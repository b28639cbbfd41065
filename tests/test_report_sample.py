"""The sample's region reports, as the pipeline run of the shared `sample_run` wrote them, against expectations read
from the landed files themselves (not from the warehouse): the coverage line names exactly the region's
municipalities (seeds/reference/municipalities.csv) without a declaration line for the quarter, the data cut is the
latest declaration date of the region's files, the run id is the run's, and providers carry the names of
seeds/reference/provider_names.csv."""

import csv
import json
from collections import defaultdict
from datetime import date
from pathlib import Path

import pytest
from lxml import etree
from lxml import html as lxml_html

REPO_ROOT = Path(__file__).resolve().parents[1]


def quarter_of(day: str) -> str:
    parsed = date.fromisoformat(day)
    return f"{parsed.year}-Q{(parsed.month - 1) // 3 + 1}"


@pytest.fixture(scope="module")
def landed(sample_run) -> dict:
    """Per municipality, the quarters its declaration lines (ProductPeriode) fall in and its files' latest
    declaration date; files the sample refuses as a whole (faults.json) left out."""
    refused = {fault["path"] for fault in json.loads((REPO_ROOT / "seeds/sample/faults.json").read_text())["files"]}
    quarters: defaultdict[str, set[str]] = defaultdict(set)
    latest: dict[str, str] = {}
    landing = sample_run["landing"]
    for path in sorted((landing / "ijw").rglob("JW323_*.xml")):
        if path.relative_to(landing).as_posix() in refused:
            continue
        tree = etree.parse(str(path))
        municipality = "GM" + tree.xpath("string(//*[local-name()='Ontvanger'])")
        declared = tree.xpath("string(//*[local-name()='DeclaratieDagtekening'])")
        latest[municipality] = max(latest.get(municipality, declared), declared)
        for start in tree.xpath("//*[local-name()='ProductPeriode']/*[local-name()='Begindatum']/text()"):
            quarters[municipality].add(quarter_of(start))
    with (REPO_ROOT / "seeds/reference/municipalities.csv").open(encoding="utf-8") as handle:
        seed = list(csv.DictReader(handle))
    regions: defaultdict[str, dict[str, str]] = defaultdict(dict)
    for row in seed:
        regions[row["region_code"]][row["municipality_code"]] = row["municipality_name"]
    with (REPO_ROOT / "seeds/reference/provider_names.csv").open(encoding="utf-8") as handle:
        names = {row["provider_agb"]: row["provider_name"] for row in csv.DictReader(handle)}
    return {"quarters": quarters, "latest": latest, "regions": regions, "names": names}


def region_reports(sample_run) -> dict[tuple[str, str], Path]:
    reports = sample_run["warehouse"] / "reports"
    return {(path.parent.name, path.stem): path for path in reports.glob("*/*.html")}


def test_the_coverage_line_names_the_municipalities_without_declarations_in_the_quarter(sample_run, landed):
    reports = region_reports(sample_run)
    delivering = {
        region
        for region, municipalities in landed["regions"].items()
        if any(municipality in landed["quarters"] for municipality in municipalities)
    }
    assert {region for region, _ in reports} == delivering
    for (region, quarter), path in reports.items():
        municipalities = landed["regions"][region]
        missing = sorted(name for code, name in municipalities.items() if quarter not in landed["quarters"][code])
        line = lxml_html.fromstring(path.read_text(encoding="utf-8")).xpath(
            "//section[@id='samenvatting']//p[@data-coverage-warning]"
        )[0]
        shown = line.get("data-municipalities-missing")
        assert (shown.split(", ") if shown else []) == missing, (region, quarter)
        assert line.get("data-coverage-warning") == ("true" if missing else "false"), (region, quarter)
        text = " ".join(line.text_content().split())
        assert f"omvatten {len(municipalities) - len(missing)} van de {len(municipalities)} gemeenten" in text
    # Both kinds of line are exercised: Rijk van Nijmegen delivers for all seven municipalities, Velsen's region
    # (JZ10) for one of its three.
    warned = {
        region
        for (region, _), p in reports.items()
        if lxml_html.fromstring(p.read_text("utf-8")).xpath("//p[@data-coverage-warning='true']")
    }
    assert "JZ10" in warned and "JZ32" not in warned


def test_a_report_states_the_latest_declaration_date_of_its_region_and_the_run(sample_run, landed):
    run_id = sample_run["second"].run_id
    for (region, quarter), path in region_reports(sample_run).items():
        dates = [landed["latest"][code] for code in landed["regions"][region] if code in landed["latest"]]
        header = lxml_html.fromstring(path.read_text(encoding="utf-8")).xpath("//header/p[@data-run-id]")[0]
        assert header.get("data-data-cut") == max(dates), (region, quarter)
        # The second run of sample_run wrote the reports last.
        assert header.get("data-run-id") == run_id, (region, quarter)


def test_providers_carry_the_names_of_the_regions_seed(sample_run, landed):
    checked = 0
    for path in region_reports(sample_run).values():
        page = lxml_html.fromstring(path.read_text(encoding="utf-8"))
        for row in page.xpath("//tr[@data-provider-agb]"):
            name, agb = (" ".join(cell.text_content().split()) for cell in row.xpath("td")[:2])
            assert (agb, name) == (row.get("data-provider-agb"), landed["names"][agb])
            checked += 1
    assert checked

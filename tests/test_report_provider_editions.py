"""The provider editions of the sample's quarterly reports, as the pipeline run of the shared `sample_run` wrote them:
one per provider with revenue in a region's quarter, each showing its own AGB code and no other provider's anywhere
in the page or the workbook, and its revenue line as the region's edition shows it."""

import re
from pathlib import Path

import duckdb
import pytest
from lxml import html as lxml_html
from openpyxl import load_workbook

REVENUE_HEADING = "Omzetplafonds aanbieders"


@pytest.fixture(scope="module")
def sample(sample_run) -> dict:
    with duckdb.connect(str(sample_run["db"]), read_only=True) as con:
        providers = dict(con.execute("select provider_agb, provider_name from marts.dim_provider").fetchall())
        agbs = set(providers)
        # Independent of rpt_provider_editions: every provider with a revenue row in a region's report.
        revenue = set(
            con.execute("select region_code, quarter, provider_agb from report.rpt_provider_revenue").fetchall()
        )
    return {"reports": sample_run["warehouse"] / "reports", "agbs": agbs, "names": providers, "revenue": revenue}


def editions(reports: Path) -> dict[tuple[str, str, str], Path]:
    """(region, quarter, agb) of every provider edition written, from its path <region>/<quarter>/providers/<agb>."""
    return {(path.parts[-4], path.parts[-3], path.stem): path for path in reports.glob("*/*/providers/*.html")}


def agbs_in(text: str, agbs: set[str]) -> set[str]:
    # An AGB code is 8 digits: one inside a longer run of digits (an SVG coordinate) is not that code.
    return {agb for agb in agbs if re.search(rf"(?<!\d){agb}(?!\d)", text)}


def revenue_rows(page) -> dict[str, list[str]]:
    """The rows of the provider revenue table, by AGB code: the texts of their cells."""
    table = page.xpath(f"//h3[normalize-space()='{REVENUE_HEADING}']/following-sibling::table[1]")
    rows = table[0].xpath(".//tbody/tr") if table else []
    return {
        row.get("data-provider-agb"): [" ".join(cell.text_content().split()) for cell in row.xpath("td")]
        for row in rows
    }


def test_one_edition_per_provider_with_revenue_in_a_regions_quarter(sample):
    written = editions(sample["reports"])
    assert written
    assert set(written) == sample["revenue"]
    for path in written.values():
        assert path.with_suffix(".xlsx").is_file()


def test_an_edition_names_its_own_provider_and_no_other(sample):
    assert len(sample["agbs"]) > 1
    region_pages_with_several = 0
    for (region, quarter, agb), path in editions(sample["reports"]).items():
        assert agb in sample["agbs"]
        page = path.read_text(encoding="utf-8")
        assert agbs_in(page, sample["agbs"]) == {agb}, path
        # Nor by name (seeds/reference/provider_names.csv names every sample provider).
        named = {other for other, name in sample["names"].items() if name and name in page}
        assert named == {agb}, path
        workbook = load_workbook(path.with_suffix(".xlsx"), read_only=True)
        cells = " ".join(
            str(value) for sheet in workbook for row in sheet.iter_rows(values_only=True) for value in row if value
        )
        assert agbs_in(cells, sample["agbs"]) <= {agb}, path.with_suffix(".xlsx")
        region_page = (sample["reports"] / region / f"{quarter}.html").read_text(encoding="utf-8")
        region_pages_with_several += len(agbs_in(region_page, sample["agbs"])) > 1
    # The check can fail: the region's own editions name several providers, which an edition must not.
    assert region_pages_with_several


def test_an_editions_revenue_line_is_the_regions(sample):
    compared = 0
    for (region, quarter, agb), path in editions(sample["reports"]).items():
        own = revenue_rows(lxml_html.fromstring(path.read_text(encoding="utf-8")))
        region_rows = revenue_rows(
            lxml_html.fromstring((sample["reports"] / region / f"{quarter}.html").read_text("utf-8"))
        )
        assert list(own) == [agb], path
        assert own[agb] == region_rows[agb], path
        compared += 1
    assert compared == len(sample["revenue"])


def test_an_editions_definitions_sheet_defines_every_kpi_of_its_kpi_sheet(sample):
    """The region's KPIs and the provider's own provider-scope ones (tests/test_report.py has a provider-only KPI)."""
    for path in editions(sample["reports"]).values():
        workbook = load_workbook(path.with_suffix(".xlsx"), read_only=True)
        kpis = {row[0] for row in workbook["KPI's"].iter_rows(min_row=2, values_only=True)}
        defined = {row[0] for row in workbook["KPI-definities"].iter_rows(min_row=2, values_only=True)}
        assert defined == kpis, path

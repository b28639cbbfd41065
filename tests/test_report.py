"""The quarterly report on a tiny hand-written warehouse (tests/report_marts.py): what it shows, what it escapes,
what it says when a source is absent, and the XLSX workbook. The browser test on the sample is test_report_browser.py.
"""

import ast
import json
import re
import shutil
import zipfile
from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from lxml import html as lxml_html
from openpyxl import load_workbook

from orchestration.formats import euros_nl, kpi_value_nl, money_nl, number_nl, percent_nl
from orchestration.report.build import report_paths, write_provider_editions, write_region_report, write_reports
from orchestration.report.data import (
    REPORT_MODELS,
    load_provider_editions,
    load_quarter_data,
    provider_editions,
    report_periods,
)
from orchestration.report.html import render_report_html
from orchestration.report.labels import quarter_bounds, quarters_ending
from tests.conftest import prepare_dbt_manifest
from tests.report_marts import HOSTILE_NAME, build_report_layer, build_report_marts

NBSP = "\xa0"
"""CLDR's Dutch currency form keeps the euro sign and the amount together with a non-breaking space."""


@pytest.fixture(scope="module")
def tiny_db(tmp_path_factory) -> Path:
    return build_report_marts(tmp_path_factory.mktemp("report") / "warehouse.duckdb")


def render(db: Path, region: str = "JZ11", quarter: str = "2024-Q2") -> str:
    with duckdb.connect(str(db), read_only=True) as con:
        return render_report_html(load_quarter_data(con, quarter, [region])[0])


def test_dutch_number_formats():
    # Written out by hand from the Dutch conventions (CLDR nl_NL): point for thousands, comma for decimals, the euro
    # sign first and the minus after it, the percent sign without a space.
    assert number_nl(1234.5, 1) == "1.234,5"
    assert number_nl(1234567.891, 2) == "1.234.567,89"
    assert number_nl(-3) == "-3"
    assert money_nl(1234.56, 2) == f"€{NBSP}1.234,56"
    assert money_nl(-1234.56, 2) == f"€{NBSP}-1.234,56"
    assert percent_nl(0.123) == "12,3%"
    assert percent_nl(0.31, signed=True) == "+31,0%"
    assert percent_nl(1.1667, 0) == "117%"
    assert euros_nl(150000) == f"€{NBSP}1.500"
    assert euros_nl(-150000) == f"€{NBSP}-1.500"
    assert euros_nl(250000, signed=True) == f"€{NBSP}+2.500"
    assert euros_nl(123456, decimals=2) == f"€{NBSP}1.234,56"
    assert kpi_value_nl(12.5, "percent") == "12,5%"
    assert kpi_value_nl(4321.5, "EUR_per_client") == f"€{NBSP}4.322"
    assert kpi_value_nl(3.0, "count") == "3"
    assert kpi_value_nl(2.25, "count") == "2,2"
    assert kpi_value_nl(45.0, "days") == "45 dagen"
    for missing in (number_nl(None), money_nl(None), euros_nl(None), percent_nl(None), kpi_value_nl(None, "count")):
        assert missing == "–"


class RecordingConnection:
    """A connection that keeps every statement run through it."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con, self.statements = con, []

    def execute(self, sql: str, params=None):
        self.statements.append(sql)
        return self.con.execute(sql, params or [])


REPORT_QUERY = re.compile(
    r"select \w+(, \w+)* from report\.rpt_\w+ where (true|quarter = \?( and provider_agb = \?)?)"
    r" order by \w+(, \w+)*",
    re.ASCII,
)
"""The one shape of query the report may run: columns of a report model, filtered by quarter (and a provider
edition's own rows by its provider), in the model's order."""
SQL_BEYOND_READING = re.compile(
    r"\b(join|group by|union|having|distinct|limit \d|case when|substr\w*|insert into|delete from|update \w+ set)\b"
    r"|\bcreate (or replace )?(temp\w* )?(table|view|schema)\b|\bwith \w+ as \("
    r"|\b(sum|count|avg|min|max|round|abs|coalesce|over|cast)\s*\(|\bmarts\.",
    re.IGNORECASE,
)


def test_the_report_only_reads_columns_of_report_models(tiny_db):
    with duckdb.connect(str(tiny_db), read_only=True) as con:
        recording = RecordingConnection(con)
        for region_code, quarter in report_periods(recording):
            load_quarter_data(recording, quarter, [region_code])
        for region_code, quarter, provider_agb in provider_editions(recording):
            load_provider_editions(recording, quarter, [(region_code, provider_agb)])
    assert len(recording.statements) > len(REPORT_MODELS)
    for statement in recording.statements:
        assert REPORT_QUERY.fullmatch(statement), statement
    assert {re.search(r"report\.(\w+)", statement)[1] for statement in recording.statements} == set(REPORT_MODELS)


def test_no_report_module_holds_sql_that_computes():
    """Beside the recorded queries above: no string in the report's code (docstrings aside) holds SQL beyond reading
    a model, and only the reader runs statements."""
    package = Path(__file__).resolve().parents[1] / "orchestration" / "report"
    modules = sorted(package.glob("*.py"))
    assert package / "data.py" in modules
    for module in modules:
        tree = ast.parse(module.read_text(encoding="utf-8"))
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef)
            and node.body
            and isinstance(node.body[0], ast.Expr)
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
                assert not SQL_BEYOND_READING.search(node.value), f"{module.name}: {node.value!r}"
            if isinstance(node, ast.Attribute) and node.attr in ("execute", "executemany", "sql", "query"):
                assert module.name == "data.py", f"{module.name} line {node.lineno} runs a statement"


def test_report_models_read_the_public_tier():
    """A withheld figure stays withheld: the report models read public_<table> models (the run summary's also the
    audit tier), each other, and of the internal marts only fct_declaration_line, for which providers declared in a
    region."""
    nodes = json.loads(prepare_dbt_manifest().read_text(encoding="utf-8"))["nodes"]
    models = {node["name"]: node for node in nodes.values() if node["resource_type"] == "model"}
    tagged = {name for name, node in models.items() if "report" in node["tags"]}
    assert tagged == {*REPORT_MODELS, "rpt_run_summary", "rpt_quarantine_reasons"}
    for name in tagged:
        assert models[name]["schema"] == "report"
        upstream = {nodes[key]["name"] for key in models[name]["depends_on"]["nodes"]}
        internal = {model for model in upstream if not model.startswith(("public_", "audit_", "rpt_"))}
        assert internal <= {"fct_declaration_line"}, name
    assert {nodes[key]["name"] for key in models["rpt_kpi_rows"]["depends_on"]["nodes"]} >= {"public_kpi_values"}


def test_quarter_arithmetic():
    assert quarters_ending("2024-Q2", 4) == ["2023-Q3", "2023-Q4", "2024-Q1", "2024-Q2"]
    assert quarter_bounds("2024-Q4") == (date(2024, 10, 1), date(2024, 12, 31))
    assert quarter_bounds("2024-Q1") == (date(2024, 1, 1), date(2024, 3, 31))
    with pytest.raises(ValueError, match="YYYY-Qn"):
        quarters_ending("2024-Q5", 4)


def test_reports_cover_the_latest_four_quarters_with_data(tiny_db, tmp_path):
    with duckdb.connect(str(tiny_db), read_only=True) as con:
        periods = report_periods(con)
    assert periods == [("JZ10", "2024-Q2"), ("JZ11", "2023-Q4"), ("JZ11", "2024-Q1"), ("JZ11", "2024-Q2")]
    # A fifth quarter, of any region, pushes the oldest out.
    db = tmp_path / "warehouse.duckdb"
    shutil.copy(tiny_db, db)
    with duckdb.connect(str(db)) as con:
        for quarter in ("2024-Q3", "2024-Q4"):
            con.execute(
                "insert into public_marts.kpi_values values"
                " ('closed_placements', 'region', 'JZ10', 'quarter', ?, 1, 1, null, 'count', null, false, false)",
                [quarter],
            )
    with duckdb.connect(str(build_report_layer(db)), read_only=True) as con:
        periods = report_periods(con)
    assert periods == [
        ("JZ10", "2024-Q2"),
        ("JZ10", "2024-Q3"),
        ("JZ10", "2024-Q4"),
        ("JZ11", "2024-Q1"),
        ("JZ11", "2024-Q2"),
    ]


def test_report_shows_every_red_signal_and_agenda_item(tiny_db):
    page = lxml_html.fromstring(render(tiny_db))
    red = {
        (e.get("data-kpi"), e.get("data-scope-type"), e.get("data-scope-code"))
        for e in page.xpath("//*[@data-status='red']")
    }
    assert red == {("closed_placements", "region", "JZ11"), ("closed_placements", "municipality", "GM0392")}
    amber = {e.get("data-scope-code") for e in page.xpath("//*[@data-status='amber']")}
    assert amber == {"JZ11"}
    no_data = page.xpath("//*[@data-status='no_data']")
    assert [e.get("data-scope-code") for e in no_data] == ["GM0377"]
    assert "kleine aantallen" in no_data[0].get("title")
    agenda = {(e.get("data-agenda-provider"), e.get("data-agenda-rank")) for e in page.xpath("//*[@data-agenda-rank]")}
    assert agenda == {("", "1"), ("", "2"), ("98060001", "1")}
    text = page.text_content()
    for summary in ("Gesloten plaatsingen: 3 (doel 0)", "Prognose 117% van het omzetplafond"):
        assert summary in text
    assert "Hoe voorkomen we een wachtlijst bij het bereiken van het plafond?" in text


def test_report_escapes_text_and_references_nothing_outside(tiny_db):
    source = render(tiny_db)
    page = lxml_html.fromstring(source)
    assert not page.xpath("//script | //link | //img | //iframe | //object | //embed")
    assert HOSTILE_NAME in page.text_content()
    assert "<script>alert" not in source
    for element in page.iter():
        for attribute in ("src", "href", "srcset", "action", "xlink:href"):
            value = element.get(attribute)
            assert value is None or value.startswith("#"), f"{element.tag} {attribute}={value}"
    csp = page.xpath("//meta[@http-equiv='Content-Security-Policy']")
    assert csp and "default-src 'none'" in csp[0].get("content")


def test_report_is_reproducible_and_its_ids_unique(tiny_db):
    first, second = render(tiny_db), render(tiny_db)
    assert first == second
    page = lxml_html.fromstring(first)
    ids = [element.get("id") for element in page.iter() if element.get("id")]
    assert len(ids) == len(set(ids))
    references = set(re.findall(r'(?:url\(#|href="#)([^")]+)', first))
    assert references and references <= set(ids)
    # trend, budget, waterfall and referral charts
    assert len(page.xpath("//div[@class='chart']/svg")) == 4


def test_cost_variance_effects_are_shown_as_the_mart_has_them(tiny_db):
    page = lxml_html.fromstring(render(tiny_db))
    region_row = [cell.text_content().strip() for cell in page.xpath("//section[@id='kosten']//tfoot//td")]
    # 100,000 -> 131,000: change +31,000 = volume +16,000 + mix +5,000 + intensity +7,000 + price +3,000.
    assert region_row == [
        "Regio",
        f"€{NBSP}100.000",
        f"€{NBSP}131.000",
        f"€{NBSP}+31.000",
        f"€{NBSP}+16.000",
        f"€{NBSP}+5.000",
        f"€{NBSP}+7.000",
        f"€{NBSP}+3.000",
    ]
    assert "+31,0%" in page.xpath("//section[@id='kosten']/p[@class='lead']")[0].text_content()


def test_referrals_show_the_published_referrer_counts_and_dashes_where_withheld(tiny_db):
    page = lxml_html.fromstring(render(tiny_db))
    cells = {
        row.get("data-referrer"): [cell.text_content().strip() for cell in row.xpath("td")[1:]]
        for row in page.xpath("//section[@id='verwijzers']//tbody/tr")
    }
    # Columns: GM0377, GM0392 (sorted codes), region, share. JZ11's referrer 02 was withheld in GM0392 and so in
    # its complement GM0377; JZ10's rows stay out of JZ11's report.
    assert cells == {"02": ["–", "–", "30", "60,0%"], "01": ["10", "10", "20", "40,0%"]}
    # Most referrals in the region first (rpt_referrals.referrer_order): 30 by referrer 02, then 20 by 01.
    assert list(cells) == ["02", "01"]


def test_the_municipality_grid_puts_the_kpi_with_most_reds_first(tiny_db):
    page = lxml_html.fromstring(render(tiny_db))
    rows = page.xpath("//section[@id='gemeenten']//tbody/tr[not(@class='size-class-row')]")
    # Gesloten plaatsingen has a red municipality (GM0392); voortijdig beëindigd only one without data (GM0377).
    names = [row.xpath("td")[0].text_content() for row in rows]
    assert names == ["Gesloten plaatsingen", "Aandeel voortijdig beëindigd"]


def test_absent_sources_give_geen_gegevens_sections(tmp_path):
    absent = ("budget_forecast", "provider_revenue_forecast", "cost_variance", "dialogue_agenda")
    # Without requests and allocations there are no referrer KPIs.
    referrers = ("referrer_share_01", "referrer_share_02")
    db = build_report_marts(tmp_path / "warehouse.duckdb", without=absent, without_kpis=referrers)
    page = lxml_html.fromstring(render(db))
    for section in ("agenda", "budget", "kosten", "verwijzers"):
        assert "Geen gegevens" in page.xpath(f"//section[@id='{section}']")[0].text_content(), section
    assert len(page.xpath("//section[@id='signalen']//*[@data-status]")) == 2
    assert len(page.xpath("//div[@class='chart']/svg")) == 1


def test_budget_forecast_of_another_quarter_is_named_not_shown(tiny_db):
    budget = lxml_html.fromstring(render(tiny_db, quarter="2024-Q1")).xpath("//section[@id='budget']")[0].text_content()
    assert "Geen gegevens" in budget
    assert "per 2024-Q2" in budget


def test_the_budget_section_shows_the_forecasts_of_the_quarters_year_only(tiny_db, tmp_path):
    # As of a year's first quarter the forecast marts also hold the year before, whose declarations still come in.
    db = tmp_path / "warehouse.duckdb"
    shutil.copy(tiny_db, db)
    with duckdb.connect(str(db)) as con:
        for mart in ("budget_forecast", "provider_revenue_forecast"):
            con.execute(
                f"insert into public_marts.{mart} select * replace (year - 1 as year) from public_marts.{mart}"  # noqa: S608
            )

    assert render(build_report_layer(db)) == render(tiny_db)


def test_workbook_holds_the_kpi_rows_as_numbers_and_text_never_as_formulas(tiny_db, tmp_path):
    reports = write_reports(tiny_db, tmp_path / "reports")
    assert {(report.region_code, report.quarter) for report in reports} == {
        ("JZ10", "2024-Q2"),
        ("JZ11", "2023-Q4"),
        ("JZ11", "2024-Q1"),
        ("JZ11", "2024-Q2"),
    }
    html_path, xlsx_path = report_paths(tmp_path / "reports", "JZ11", "2024-Q2")
    assert html_path.exists()
    sheet = load_workbook(xlsx_path)["KPI's"]
    header, *rows = list(sheet.iter_rows(values_only=True))
    assert header[:8] == ("KPI-code", "KPI", "Niveau", "Code", "Naam", "Periode", "Waarde", "Eenheid")
    signal = header.index("Signaal")
    got = {(row[0], row[2], row[3], row[6], row[signal]) for row in rows}
    # Percentages as fractions (tests/report_marts.py holds 12.5, 40 and 60 percent).
    assert got == {
        ("closed_placements", "regio", "JZ11", 3.0, "rood"),
        ("early_termination_share", "regio", "JZ11", 0.125, "oranje"),
        ("cost_per_client", "regio", "JZ11", 4321.5, "geen norm"),
        ("closed_placements", "gemeente", "GM0392", 3.0, "rood"),
        ("cost_per_client", "gemeente", "GM0392", 5000.0, "geen norm"),
        ("closed_placements", "gemeente", "GM0377", 0.0, "groen"),
        ("referrer_share_01", "regio", "JZ11", 0.4, "geen norm"),
        ("referrer_share_01", "gemeente", "GM0392", 0.4, "geen norm"),
        ("referrer_share_01", "gemeente", "GM0377", 0.4, "geen norm"),
        ("referrer_share_02", "regio", "JZ11", 0.6, "geen norm"),
        # Withheld in publication: the row is there, its value is not.
        ("referrer_share_02", "gemeente", "GM0392", None, "geen norm"),
        ("referrer_share_02", "gemeente", "GM0377", None, "geen norm"),
        ("youth_in_care_share", "regio", "JZ11", 0.1, "geen norm"),
        ("youth_in_care_share", "gemeente", "GM0392", 0.1, "geen norm"),
    }
    hostile = [cell for row in sheet.iter_rows() for cell in row if cell.value == HOSTILE_NAME]
    assert hostile and all(cell.data_type == "s" for cell in hostile)
    with zipfile.ZipFile(xlsx_path) as archive:
        sheets = [name for name in archive.namelist() if name.startswith("xl/worksheets/")]
        assert sheets and not any(b"<f>" in archive.read(name) or b"<f " in archive.read(name) for name in sheets)


def test_reports_written_by_worker_processes_equal_those_written_in_process(tiny_db, tmp_path):
    in_process = write_reports(tiny_db, tmp_path / "in_process", workers=1)
    workers = write_reports(tiny_db, tmp_path / "workers", workers=2)
    with duckdb.connect(str(tiny_db), read_only=True) as con:
        periods = report_periods(con)
    assert [(report.region_code, report.quarter) for report in workers] == periods

    def summary(report):
        return report.region_code, report.quarter, report.red_signals, report.agenda_items, report.kpi_rows

    def cells(path):
        return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in load_workbook(path).worksheets}

    assert [summary(report) for report in workers] == [summary(report) for report in in_process]
    for ours, theirs in zip(in_process, workers, strict=True):
        assert theirs.html_path.read_bytes() == ours.html_path.read_bytes()
        assert cells(theirs.xlsx_path) == cells(ours.xlsx_path)


def test_report_asset_reads_the_report_layer_after_publication(definitions):
    graph = definitions.resolve_asset_graph()
    report = graph.get(dg.AssetKey(["report", "quarterly_report"]))
    models = {dg.AssetKey(["report", model]) for model in REPORT_MODELS}
    assert report.parent_keys == {dg.AssetKey(["published", "marts"]), *models}
    # The report models run in the KPI step, behind the blocking checks on the star schema.
    kpi_step = definitions.resolve_assets_def(dg.AssetKey(["marts", "kpi_values"]))
    assert models <= kpi_step.keys


def coverage_line(page) -> lxml_html.HtmlElement:
    return page.xpath("//section[@id='samenvatting']//p[@data-coverage-warning]")[0]


def test_the_coverage_line_names_the_municipalities_that_sent_nothing(tiny_db):
    # tests/report_marts.py: in 2024-Q2 JZ11's GM0377 (the hostile name) sent nothing, GM0392 did; JZ10's one
    # municipality delivered; JZ11's earlier quarters have no coverage rows at all.
    page = lxml_html.fromstring(render(tiny_db))
    line = coverage_line(page)
    assert line.get("data-coverage-warning") == "true"
    assert line.get("data-municipalities-missing") == HOSTILE_NAME
    assert "1 van de 2 gemeenten" in " ".join(line.text_content().split())
    assert "Let op" in line.text_content()
    # The same line heads the region's signals, where its figures are.
    assert page.xpath("//section[@id='signalen']//p[@data-coverage-warning='true']")

    complete = coverage_line(lxml_html.fromstring(render(tiny_db, region="JZ10")))
    assert complete.get("data-coverage-warning") == "false"
    assert "1 van de 1 gemeenten" in " ".join(complete.text_content().split())
    assert "Let op" not in complete.text_content()

    unknown = coverage_line(lxml_html.fromstring(render(tiny_db, quarter="2024-Q1")))
    assert unknown.get("data-coverage-warning") == "true"
    assert "geen dekkingsgegevens" in unknown.text_content()


def test_a_value_whose_look_back_is_incomplete_is_marked_and_footnoted(tiny_db):
    page = lxml_html.fromstring(render(tiny_db))
    # Only JZ11's early_termination_share of 2024-Q2 has lookback_complete false in tests/report_marts.py.
    marked = page.xpath("//*[@data-lookback-incomplete]/ancestor::tr[1]")
    assert [row.get("data-kpi") for row in marked] == ["early_termination_share"]
    assert page.xpath("//footer/p[@data-lookback-footnote]")
    assert not lxml_html.fromstring(render(tiny_db, region="JZ10")).xpath("//*[@data-lookback-footnote]")


def test_a_report_states_its_data_cut_and_the_run_that_made_it(tiny_db, tmp_path):
    written = write_region_report("2024-Q2", "JZ11", "run-2024q2-close", tiny_db, tmp_path)
    assert written.html_path == tmp_path / "JZ11" / "2024-Q2.html"
    header = lxml_html.fromstring(written.html_path.read_text(encoding="utf-8")).xpath("//header/p[@data-run-id]")[0]
    # JZ11's lines were declared on 2024-07-15 and 2024-08-02 (GM0392) and 2024-08-20 (GM0377); GM0453's line is
    # JZ10's and GM9999's no region's.
    assert header.get("data-data-cut") == "2024-08-20"
    assert "20 augustus 2024" in header.text_content()
    assert header.get("data-run-id") == "run-2024q2-close"
    assert "run-2024q2-close" in header.text_content()
    with pytest.raises(ValueError, match="no report for region JZ10 in 2024-Q1"):
        write_region_report("2024-Q1", "JZ10", "run-x", tiny_db, tmp_path)


def test_providers_are_named_as_the_region_names_them_and_by_code_otherwise(tiny_db):
    page = lxml_html.fromstring(render(tiny_db))
    caps = [
        [cell.text_content().strip() for cell in row.xpath("td")[:2]]
        for row in page.xpath(
            "//section[@id='budget']//h3[text()='Omzetplafonds aanbieders']/following::table[1]//tbody/tr"
        )
    ]
    # tests/report_marts.py names 98060001 only.
    assert caps == [["Stichting De Linde", "98060001"], ["98060002", "98060002"]]
    headings = [" ".join(h.text_content().split()) for h in page.xpath("//section[@id='agenda']/h3")]
    assert headings == ["Regio Zuid-Kennemerland", "Aanbieder Stichting De Linde (AGB 98060001)"]
    kinds = [" ".join(k.text_content().split()) for k in page.xpath("//section[@id='agenda']//span[@class='kind']")]
    assert kinds == ["rood signaal · regio Zuid-Kennemerland", "budgetoverschrijding · gemeente Haarlem"] + [
        "omzetplafond · aanbieder Stichting De Linde"
    ]


def test_workbook_stores_percentages_as_fractions_and_holds_agenda_budget_and_definitions(tiny_db, tmp_path):
    _, xlsx_path = report_paths(tmp_path, "JZ11", "2024-Q2")
    write_region_report("2024-Q2", "JZ11", "run-x", tiny_db, tmp_path)
    workbook = load_workbook(xlsx_path)
    assert workbook.sheetnames == ["KPI's", "Gespreksagenda", "Budgetprognose", "KPI-definities", "Toelichting"]
    kpis = workbook["KPI's"]
    header = [cell.value for cell in kpis[1]]
    early = next(row for row in kpis.iter_rows(min_row=2) if row[0].value == "early_termination_share")
    # 12.5% with target 10 and band 0-15 (tests/report_marts.py), as fractions in a percent format.
    for column, expected in (("Waarde", 0.125), ("Doel", 0.10), ("Ondergrens band", 0.0), ("Bovengrens band", 0.15)):
        cell = early[header.index(column)]
        assert cell.value == pytest.approx(expected), column
        assert cell.number_format == "0.0%", column
    assert early[header.index("Terugkijkperiode volledig")].value == "nee"
    closed = next(row for row in kpis.iter_rows(min_row=2) if row[0].value == "closed_placements")
    assert (closed[header.index("Waarde")].value, closed[header.index("Waarde")].number_format) == (3.0, "#,##0")

    agenda = list(workbook["Gespreksagenda"].iter_rows(values_only=True))
    assert [row[:4] for row in agenda[1:]] == [
        ("regio", None, 1, "rood signaal"),
        ("regio", None, 2, "budgetoverschrijding"),
        ("Stichting De Linde", "98060001", 1, "omzetplafond"),
    ]
    budget = list(workbook["Budgetprognose"].iter_rows(values_only=True))
    # By municipality code: GM0377 (the hostile name, as text), then Haarlem: 400,000 realised, 850,000 forecast
    # (error bound 30,000) against 800,000, overrun 50,000 (the rows' cents / 100).
    assert budget[1][0] == HOSTILE_NAME and workbook["Budgetprognose"]["A2"].data_type == "s"
    assert budget[2][:8] == ("Haarlem", "Jeugdhulp ambulant", 400000, 850000, 30000, 800000, 50000, "overschrijding")
    assert workbook["Budgetprognose"]["C2"].number_format == '"€" #,##0'
    definitions = {row[0]: row for row in workbook["KPI-definities"].iter_rows(min_row=2, values_only=True)}
    assert set(definitions) == {row[0] for row in kpis.iter_rows(min_row=2, values_only=True)}
    assert definitions["closed_placements"][2] == "Definitie van closed_placements"
    notes = dict(workbook["Toelichting"].iter_rows(values_only=True))
    assert notes["Gemaakt door run"] == "run-x"
    assert notes["Peildatum gegevens"] == "declaraties tot en met 20 augustus 2024"


def test_the_municipality_grid_shows_the_region_and_cbs_national_figures_with_their_source(tiny_db):
    page = lxml_html.fromstring(render(tiny_db))
    compare = {
        (cell.get("data-kpi"), cell.get("data-compare")): " ".join(cell.text_content().split())
        for cell in page.xpath("//section[@id='gemeenten']//td[@data-compare='region' or @data-compare='nl']")
    }
    # tests/report_marts.py: region JZ11 3 placements and 12.5% early termination in 2024-Q2; CBS NL 9.0% in 2024
    # (2025's 99% is after the report's year); a count has no national figure.
    assert compare == {
        ("closed_placements", "region"): "3",
        ("closed_placements", "nl"): "–",
        ("early_termination_share", "region"): "12,5%",
        ("early_termination_share", "nl"): "9,0% (2024)",
    }
    sources = [" ".join(p.text_content().split()) for p in page.xpath("//section[@id='gemeenten']//p[@data-cbs-table]")]
    assert sources == ["Bron: CBS StatLine, tabel 85097NED, status voorlopig (2024)"]


def test_each_municipality_value_has_its_size_class_value_beside_it(tiny_db):
    page = lxml_html.fromstring(render(tiny_db))
    classes = {
        cell.get("data-size-class"): cell.text_content().strip()
        for cell in page.xpath("//section[@id='gemeenten']//thead//*[@data-size-class]")
    }
    assert classes == {"GM0392": "150 000 tot 250 000 inwoners", "GM0377": "20 000 tot 50 000 inwoners"}
    size_class = {
        (cell.get("data-kpi"), cell.get("data-scope-code")): cell.text_content().strip()
        for cell in page.xpath("//section[@id='gemeenten']//td[@data-compare='size_class']")
    }
    # tests/report_marts.py: Haarlem's class 7 had 4 closed placements; GM0377's class 4 is withheld; no class has an
    # early-termination value.
    assert size_class == {
        ("closed_placements", "GM0392"): "4",
        ("closed_placements", "GM0377"): "–",
        ("early_termination_share", "GM0392"): "–",
        ("early_termination_share", "GM0377"): "–",
    }
    assert page.xpath("//section[@id='gemeenten']//tr[@class='size-class-row']/td[1]")[0].text == "Grootteklasse"


def test_every_section_with_a_figure_on_cbs_population_names_cbs_as_its_source(tiny_db, tmp_path):
    page = lxml_html.fromstring(render(tiny_db))
    line = "Bron: CBS StatLine, tabel 03759ned, status definitief (2024)"
    # youth_in_care_share (no target) divides by 03759ned: under the figures without a target, nowhere else.
    sections = {
        section.get("id"): [" ".join(p.text_content().split()) for p in section.xpath(".//p[@data-cbs-table]")]
        for section in page.xpath("//section")
    }
    assert sections["kengetallen"] == [line]
    assert sections["signalen"] == []
    jz10 = lxml_html.fromstring(render(tiny_db, region="JZ10"))
    assert not jz10.xpath("//section[@id='kengetallen']//p[@data-cbs-table]")

    _, xlsx_path = report_paths(tmp_path, "JZ11", "2024-Q2")
    write_region_report("2024-Q2", "JZ11", "run-x", tiny_db, tmp_path)
    kpis = load_workbook(xlsx_path)["KPI's"]
    header = [cell.value for cell in kpis[1]]
    rows = {(row[0], row[3]): row for row in kpis.iter_rows(min_row=2, values_only=True)}
    assert rows["youth_in_care_share", "GM0392"][header.index("Bron CBS")] == line
    assert rows["youth_in_care_share", "JZ11"][header.index("Bron CBS")] == line
    assert rows["closed_placements", "GM0392"][header.index("Bron CBS")] is None
    notes = list(load_workbook(xlsx_path)["Toelichting"].iter_rows(values_only=True))
    assert ("Bron CBS", line) in notes


def test_workbook_sets_each_municipality_value_beside_its_size_class(tiny_db, tmp_path):
    _, xlsx_path = report_paths(tmp_path, "JZ11", "2024-Q2")
    write_region_report("2024-Q2", "JZ11", "run-x", tiny_db, tmp_path)
    kpis = load_workbook(xlsx_path)["KPI's"]
    header = [cell.value for cell in kpis[1]]
    rows = {(row[0].value, row[3].value): row for row in kpis.iter_rows(min_row=2)}
    name, value = header.index("Grootteklasse"), header.index("Waarde grootteklasse")
    placements = rows["closed_placements", "GM0392"]
    assert (placements[name].value, placements[value].value) == ("150 000 tot 250 000 inwoners", 4.0)
    cost = rows["cost_per_client", "GM0392"]
    assert (cost[value].value, cost[value].number_format) == (4800.0, '"€" #,##0.00')
    # GM0377's class is withheld; the region has no class.
    assert rows["closed_placements", "GM0377"][value].value is None
    assert (rows["closed_placements", "JZ11"][name].value, rows["closed_placements", "JZ11"][value].value) == (
        None,
        None,
    )


def test_a_provider_editions_definitions_sheet_defines_its_provider_kpis_too(tiny_db, tmp_path):
    write_provider_editions(tiny_db, tmp_path)
    workbook = load_workbook(tmp_path / "JZ11" / "2024-Q2" / "providers" / "98060001.xlsx")
    kpis = {row[0] for row in workbook["KPI's"].iter_rows(min_row=2, values_only=True)}
    defined = {row[0]: row for row in workbook["KPI-definities"].iter_rows(min_row=2, values_only=True)}
    # tests/report_marts.py: mean_days_allocation_to_start has a value for provider 98060001 only.
    assert "mean_days_allocation_to_start" in kpis
    assert set(defined) == kpis
    assert defined["mean_days_allocation_to_start"][2] == "Definitie van mean_days_allocation_to_start"
    write_region_report("2024-Q2", "JZ11", "run-x", tiny_db, tmp_path)
    region = load_workbook(tmp_path / "JZ11" / "2024-Q2.xlsx")["KPI-definities"]
    assert "mean_days_allocation_to_start" not in {row[0] for row in region.iter_rows(min_row=2, values_only=True)}

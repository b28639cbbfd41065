"""The sample's quarterly reports, as the pipeline run of the shared `sample_run` wrote them, opened in headless
Chromium (Debian's chromium driven by Playwright): no console or page errors, no request beyond the file itself,
charts drawn, every red signal and agenda item of the region and quarter on the page; the XLSX holds kpi_values."""

from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pytest
from openpyxl import load_workbook

from orchestration.report.browser import chromium_context
from orchestration.warehouse.publish import PUBLISHED_FILENAME
from tests.sample_world import sample_regions


@dataclass
class PageLoad:
    url: str
    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def browser():
    with chromium_context() as context:
        yield context


@pytest.fixture(scope="module")
def sample(sample_run):
    """The sample's published marts (what the report reads) and, from an independent query, which region reports the
    run had to write."""
    published = sample_run["db"].parent / "published" / PUBLISHED_FILENAME
    with duckdb.connect(str(published), read_only=True) as con:
        quarters = con.execute(
            """
            with latest as (
                select distinct period from marts.kpi_values
                where scope_type = 'region' and period_type = 'quarter'
                order by period desc limit 4
            )
            select distinct scope_code, period from marts.kpi_values
            where scope_type = 'region' and period_type = 'quarter' and period in (select period from latest)
            order by 1, 2
            """
        ).fetchall()
    return {"db": published, "reports": sample_run["db"].parent / "reports", "quarters": quarters}


def open_page(browser, path: Path) -> tuple[object, PageLoad]:
    """Open a file with every request except the file itself blocked and recorded."""
    load = PageLoad(url=path.resolve().as_uri())
    page = browser.new_page()
    page.on("console", lambda message: message.type == "error" and load.console_errors.append(message.text))
    page.on("pageerror", lambda error: load.page_errors.append(str(error)))
    page.on("request", lambda request: load.requests.append(request.url))

    def route(route):
        if route.request.url == load.url:
            route.continue_()
        else:
            load.blocked.append(route.request.url)
            route.abort()

    page.route("**/*", route)
    page.goto(load.url, wait_until="load")
    return page, load


def test_the_harness_sees_a_request_and_an_error(browser, tmp_path):
    # Without this the assertions below could pass on a harness that records nothing.
    leaky = tmp_path / "leaky.html"
    leaky.write_text('<img src="http://report.invalid/logo.png"><script>undefinedFunction()</script>')
    page, load = open_page(browser, leaky)
    page.close()
    assert load.blocked == ["http://report.invalid/logo.png"]
    assert load.page_errors


def test_every_region_report_opens_offline_without_errors(browser, sample):
    assert {region for region, _ in sample["quarters"]} >= sample_regions()
    for region, quarter in sample["quarters"]:
        page, load = open_page(browser, sample["reports"] / region / f"{quarter}.html")
        charts = page.locator("div.chart > svg")
        drawn = [charts.nth(i).bounding_box() for i in range(charts.count())]
        title = page.title()
        page.close()
        assert load.requests == [load.url], (region, quarter)
        assert load.blocked == [] and load.console_errors == [] and load.page_errors == [], (region, quarter, load)
        # Bar charts grow with their rows: one row is 74 px high.
        assert drawn and all(box and box["width"] > 100 and box["height"] > 70 for box in drawn), (region, quarter)
        assert region in title and quarter in title


def test_every_red_signal_and_agenda_item_is_in_the_report(browser, sample):
    with duckdb.connect(str(sample["db"]), read_only=True) as con:
        for region, quarter in sample["quarters"]:
            red = set(
                con.execute(
                    """select kpi_id, scope_type, scope_code from marts.steering_signals
                       where region_code = ? and period = ? and status = 'red'""",
                    [region, quarter],
                ).fetchall()
            )
            agenda = con.execute(
                """select coalesce(provider_agb, ''), cast(item_rank as varchar), summary_nl, question_nl
                   from marts.dialogue_agenda where region_code = ? and period = ?""",
                [region, quarter],
            ).fetchall()
            page, _ = open_page(browser, sample["reports"] / region / f"{quarter}.html")
            shown_red = page.eval_on_selector_all(
                "[data-status=red]",
                "elements => elements.map(e => [e.dataset.kpi, e.dataset.scopeType, e.dataset.scopeCode])",
            )
            shown_agenda = page.eval_on_selector_all(
                "[data-agenda-rank]",
                "elements => elements.map(e => [e.dataset.agendaProvider, e.dataset.agendaRank, e.innerText])",
            )
            page.close()
            assert {tuple(row) for row in shown_red} == red, (region, quarter)
            assert sorted((provider, rank) for provider, rank, _ in shown_agenda) == sorted(
                (provider, rank) for provider, rank, _, _ in agenda
            ), (region, quarter)
            texts = {(provider, rank): " ".join(text.split()) for provider, rank, text in shown_agenda}
            for provider, rank, summary, question in agenda:
                assert " ".join(summary.split()) in texts[(provider, rank)]
                assert " ".join(question.split()) in texts[(provider, rank)]


def test_workbook_rows_are_the_regions_published_kpi_values(sample):
    with duckdb.connect(str(sample["db"]), read_only=True) as con:
        for region, quarter in sample["quarters"]:
            expected = con.execute(
                """
                select kpi_id, scope_code, case when unit = 'percent' then value / 100 else value end
                from marts.kpi_values
                where period_type = 'quarter' and period = ?
                  and ((scope_type = 'region' and scope_code = ?)
                       or (scope_type = 'municipality' and scope_code in
                           (select municipality_code from marts.dim_municipality where region_code = ?)))
                """,
                [quarter, region, region],
            ).fetchall()
            sheet = load_workbook(sample["reports"] / region / f"{quarter}.xlsx", read_only=True)["KPI's"]
            header, *rows = sheet.iter_rows(values_only=True)
            kpi, code, value = header.index("KPI-code"), header.index("Code"), header.index("Waarde")
            assert expected
            shown = {(row[kpi], row[code]): row[value] for row in rows}
            assert len(shown) == len(rows), (region, quarter)
            published = {(kpi_id, scope): number for kpi_id, scope, number in expected}
            assert shown.keys() == published.keys(), (region, quarter)
            # A withheld value is an empty cell, never a number.
            withheld = {key for key, number in published.items() if number is None}
            assert withheld and {key for key, number in shown.items() if number is None} == withheld
            # Percentages are stored as fractions. Excel keeps 15 significant digits, so a stored double comes back
            # within 1e-14 of itself.
            numbers = {key: number for key, number in published.items() if number is not None}
            assert {key: shown[key] for key in numbers} == pytest.approx(numbers, rel=1e-14), (region, quarter)

"""The Dagster UI of a `dg dev` started by the test (tests/dagster_ui.py), in headless Chromium (Debian's chromium
driven by Playwright): the asset graph loads with every asset and group and no console errors; every schedule and
sensor of the definitions is listed on the Automation page and can be turned on there, after which the daemon that
`dg dev` runs beside the webserver evaluates it; the shipped sample, ingested from the UI, shows its quarantine by
reason code on the declaration asset's page; a backfill of two quarter x region closes launched in the UI completes
and leaves both closes in the history.

The tests share one `dg dev` and run in order: the backfill closes what the ingest loaded."""

from __future__ import annotations

import json
import re
import time
from collections import Counter

import duckdb
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from orchestration.closes import store
from orchestration.defs.ingest.ingest_metadata import QUARANTINE_TABLE
from orchestration.report.browser import chromium_context
from tests.conftest import copy_sample
from tests.sample_world import SAMPLE_DIR
from tests.test_quarterly_close import AS_OF, QUARTER, raw_deliveries, region_municipalities

LOAD_TIMEOUT_MS = 180_000
"""The global graph of 150 assets takes seconds to lay out; on a busy two-core machine, much longer."""
TICK_TIMEOUT_SECONDS = 180
RUN_TIMEOUT_SECONDS = 1200
"""A close's dbt build takes about two minutes on the shared machine (docs/benchmarks.md); a backfill runs two."""
CLOSE_REGIONS = ["JZ10", "JZ32"]
"""The sample's two regions (sample_world.sample_regions): not adjacent among the seed's regions, so two runs."""
RUNS = "{ runsOrError { ... on Runs { results { runId status } } } }"
BACKFILLS = """{ partitionBackfillsOrError { ... on PartitionBackfills {
    results { id status isAssetBackfill partitionNames runs(limit: 100) { runId status } } } } }"""
DONE = {"SUCCESS", "FAILURE", "CANCELED", "COMPLETED", "COMPLETED_SUCCESS", "COMPLETED_FAILED", "FAILED"}
"""Terminal statuses of a run and of a backfill."""
STATES = """{ %s(repositorySelector: {repositoryName: "__repository__", repositoryLocationName: "%s"}) {
    ... on %s { results { name %s { status ticks(limit: 1) { status } } } } } }"""


@pytest.fixture(scope="module")
def page(dagster_ui):
    with chromium_context(viewport=(1400, 1000)) as context:
        page = context.new_page()
        # Playwright's 30 s default is too short for the UI while other tests load the two cores (a CI simulation
        # timed out filling the backfill dialog's partition filter, which passes on an idle machine).
        page.set_default_timeout(LOAD_TIMEOUT_MS)
        page.errors = []
        page.on("console", lambda message: message.type == "error" and page.errors.append(message.text))
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        yield page


def dismiss_welcome(page) -> None:
    # The first visit asks to join the community (a modal over the page); a user skips it once.
    skip = page.get_by_role("button", name="Skip", exact=True)
    try:
        skip.wait_for(timeout=5_000)
    except PlaywrightTimeout:
        return
    skip.click()


def location_name(dagster_ui) -> str:
    query = "{ workspaceOrError { ... on Workspace { locationEntries { name } } } }"
    [entry] = dagster_ui.graphql(query)["workspaceOrError"]["locationEntries"]
    return entry["name"]


def instigator_states(dagster_ui) -> dict[str, tuple[str, list[str]]]:
    """Name -> (status, the latest tick's status if any) of every schedule and sensor, from the webserver."""
    location = location_name(dagster_ui)
    states = {}
    for field, kind, state in (
        ("sensorsOrError", "Sensors", "sensorState"),
        ("schedulesOrError", "Schedules", "scheduleState"),
    ):
        results = dagster_ui.graphql(STATES % (field, location, kind, state))[field]["results"]
        states |= {
            result["name"]: (result[state]["status"], [t["status"] for t in result[state]["ticks"]])
            for result in results
        }
    return states


def turn(page, name: str, on: bool) -> None:
    """Flip a schedule's or sensor's switch on the Automation page (open) from off to on, or back."""
    # One list item (data-index) per schedule or sensor, its name in the item's link.
    row = page.locator("[data-index]").filter(has=page.get_by_text(name, exact=True))
    expect(row).to_have_count(1, timeout=LOAD_TIMEOUT_MS)
    switch = row.locator("input[type=checkbox]").last  # the row's on/off switch; the first selects the row
    expect(switch).to_be_checked(checked=not on)
    row.locator("label").last.click()
    expect(switch).to_be_checked(checked=on, timeout=60_000)


def wait_until_done(dagster_ui, read, timeout: float = RUN_TIMEOUT_SECONDS):
    """Poll read() (a run or backfill from the webserver, None until it exists) until its status is terminal."""
    deadline = time.monotonic() + timeout
    while (found := read()) is None or found["status"] not in DONE:
        if time.monotonic() > deadline:
            raise AssertionError(f"not done after {timeout} s: {found}; dg dev's log: {dagster_ui.log}")
        time.sleep(5)
    return found


def test_the_asset_graph_loads_every_asset_without_console_errors(page, dagster_ui, definitions):
    graph = definitions.resolve_asset_graph()
    page.goto(f"{dagster_ui.url}/asset-groups", wait_until="load")
    dismiss_welcome(page)
    materializable = len(graph.materializable_asset_keys)
    expect(page.get_by_role("button", name=f"Materialize all ({materializable})")).to_be_visible(
        timeout=LOAD_TIMEOUT_MS
    )
    for group in sorted({graph.get(key).group_name for key in graph.materializable_asset_keys}):
        expect(page.get_by_text(group, exact=True).first).to_be_visible()
    assert page.errors == []


def test_every_schedule_and_sensor_is_listed_and_can_be_turned_on(page, dagster_ui, definitions):
    names = sorted(
        [sensor.name for sensor in definitions.sensors] + [schedule.name for schedule in definitions.schedules]
    )
    assert {"landing_sensor", "run_failure_alert"} <= set(names)
    assert all(status == "STOPPED" for status, _ in instigator_states(dagster_ui).values()), "off until turned on"
    page.goto(f"{dagster_ui.url}/automation", wait_until="load")
    dismiss_welcome(page)
    for name in names:
        turn(page, name, on=True)
    assert page.errors == []

    # A switch can show on before the webserver reports it running: wait until it reports every one running and the
    # daemon dg dev started has evaluated the landing sensor (an empty landing: skipped).
    deadline = time.monotonic() + TICK_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        states = instigator_states(dagster_ui)
        if states["landing_sensor"][1] and all(status == "RUNNING" for status, _ in states.values()):
            break
        time.sleep(3)
    assert {name: status for name, (status, _) in states.items()} == dict.fromkeys(names, "RUNNING")
    assert states["landing_sensor"][1] == ["SKIPPED"]


def sample_faults() -> tuple[Counter, set[str]]:
    """What the sample's generator broke on purpose (seeds/sample/faults.json): declaration lines per reason code in
    files that load otherwise, each one quarantined record; and the reason codes of files refused whole."""
    manifest = json.loads((SAMPLE_DIR / "faults.json").read_text())
    broken_files = {fault["path"] for fault in manifest["files"]}
    lines = Counter(fault["reason_code"] for fault in manifest["lines"] if fault["path"] not in broken_files)
    return lines, {fault["reason_code"] for fault in manifest["files"]}


def test_the_ingest_launched_in_the_ui_shows_the_declarations_quarantine_by_reason_code(page, dagster_ui):
    # The landing sensor, turned on above, would start a whole refresh_job for the landed sample; only the ingest runs.
    page.goto(f"{dagster_ui.url}/automation", wait_until="load")
    turn(page, "landing_sensor", on=False)
    copy_sample(dagster_ui.landing)
    known_runs = {run["runId"] for run in dagster_ui.graphql(RUNS)["runsOrError"]["results"]}
    page.goto(f"{dagster_ui.url}/locations/{location_name(dagster_ui)}/asset-groups/ingest", wait_until="load")
    page.get_by_role("button", name=re.compile(r"Materialize all \(\d+\)")).click(timeout=LOAD_TIMEOUT_MS)

    def launched():
        runs = [run for run in dagster_ui.graphql(RUNS)["runsOrError"]["results"] if run["runId"] not in known_runs]
        assert len(runs) <= 1
        return runs[0] if runs else None

    assert wait_until_done(dagster_ui, launched)["status"] == "SUCCESS"

    page.goto(f"{dagster_ui.url}/assets/raw/ijw_declaration_lines", wait_until="load")
    # The metadata entry's row holds its label and the table; the last such row is the innermost.
    entry = page.locator("tr", has=page.get_by_text(QUARANTINE_TABLE, exact=True)).last
    table = entry.locator("table")
    expect(table).to_be_visible(timeout=LOAD_TIMEOUT_MS)
    assert table.locator("thead th").all_inner_texts() == ["reason_code", "records", "amount"]
    shown = {}
    for row in table.locator("tbody tr").all():
        code, records, amount = row.locator("td").all_inner_texts()
        shown[code] = int(records)
        assert amount.startswith("€"), amount
    lines, files = sample_faults()
    assert len(lines) > 3, "the sample breaks lines for several rules"
    assert {code: shown.get(code) for code in lines} == dict(lines)
    assert set(shown) == set(lines) | files
    assert page.errors == []


def test_a_backfill_of_two_closes_launched_in_the_ui_completes_and_stores_both(page, dagster_ui):
    # From the asset group, not the job's Partitions page: a job backfill tags its runs wrongly (quarterly_close.py).
    page.goto(f"{dagster_ui.url}/locations/{location_name(dagster_ui)}/asset-groups/quarterly_close", wait_until="load")
    page.get_by_role("button", name="Materialize all…").click(timeout=LOAD_TIMEOUT_MS)
    dialog = page.get_by_role("dialog").filter(has_text="Launch runs to materialize")
    for keys in ([QUARTER], CLOSE_REGIONS):  # the quarter dimension's picker first, then the region's
        dialog.get_by_text("Select a partition or create one").first.click()
        for key in keys:
            page.get_by_placeholder("Filter partitions").fill(key)
            page.get_by_role("menuitem").filter(has_text=key).click()
        page.keyboard.press("Escape")
    expect(dialog.get_by_text("2 partitions", exact=True)).to_be_visible()
    dialog.get_by_role("button", name="Launch backfill").click()

    def backfill():
        found = dagster_ui.graphql(BACKFILLS)["partitionBackfillsOrError"]["results"]
        assert len(found) <= 1
        return found[0] if found else None

    done = wait_until_done(dagster_ui, backfill)
    assert done["isAssetBackfill"] and sorted(done["partitionNames"]) == [f"{QUARTER}|{r}" for r in CLOSE_REGIONS]
    assert done["status"] == "COMPLETED_SUCCESS" and {run["status"] for run in done["runs"]} == {"SUCCESS"}
    assert page.errors == []

    with duckdb.connect(str(store.closes_path(dagster_ui.warehouse / "closes")), read_only=True) as con:
        closes = con.execute(
            "select region_code, run_id, as_of, deliveries from close_history.closes where quarter = ?", [QUARTER]
        ).fetchall()
    assert sorted(region for region, *_ in closes) == CLOSE_REGIONS
    live = dagster_ui.warehouse / "warehouse.duckdb"
    for region, run_id, as_of, deliveries in closes:
        assert run_id in {run["runId"] for run in done["runs"]} and as_of == AS_OF
        # Each close saw its own region's deliveries up to the cut, from the raw tables the UI's ingest loaded.
        assert deliveries == len(raw_deliveries(live, AS_OF, region_municipalities(region))) > 0, region

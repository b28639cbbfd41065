"""The Dagster UI of a `dg dev` started by the test (tests/dagster_ui.py), in headless Chromium (Debian's chromium
driven by Playwright): the asset graph loads with every asset and group and no console errors; every schedule and
sensor of the definitions is listed on the Automation page and can be turned on there, after which the daemon that
`dg dev` runs beside the webserver evaluates it."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from orchestration.report.browser import chromium_context

LOAD_TIMEOUT_MS = 180_000
"""The global graph of 150 assets takes seconds to lay out; on a busy two-core machine, much longer."""
TICK_TIMEOUT_SECONDS = 180
STATES = """{ %s(repositorySelector: {repositoryName: "__repository__", repositoryLocationName: "%s"}) {
    ... on %s { results { name %s { status ticks(limit: 1) { status } } } } } }"""


@pytest.fixture(scope="module")
def page(dagster_ui):
    with chromium_context(viewport=(1400, 1000)) as context:
        page = context.new_page()
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
        # One list item (data-index) per schedule or sensor, its name in the item's link.
        row = page.locator("[data-index]").filter(has=page.get_by_text(name, exact=True))
        expect(row).to_have_count(1, timeout=LOAD_TIMEOUT_MS)
        switch = row.locator("input[type=checkbox]").last  # the row's on/off switch; the first selects the row
        expect(switch).not_to_be_checked()
        row.locator("label").last.click()
        expect(switch).to_be_checked(timeout=60_000)
    assert page.errors == []

    # The daemon dg dev started evaluates what was turned on: the landing sensor ticks (an empty landing: skipped).
    deadline = time.monotonic() + TICK_TIMEOUT_SECONDS
    while not (states := instigator_states(dagster_ui))["landing_sensor"][1] and time.monotonic() < deadline:
        time.sleep(3)
    assert {name: status for name, (status, _) in states.items()} == dict.fromkeys(names, "RUNNING")
    assert states["landing_sensor"][1] == ["SKIPPED"]

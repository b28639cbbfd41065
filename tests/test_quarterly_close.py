"""The quarterly close on the shipped sample: one close of 2024-Q3 for JZ32 at its default cut, shared by the tests.

Expectations come from the raw landing tables and the municipalities seed, not from the close's dbt models: the
deliveries a close may see are the region's messages dated on or before its cut, and its data cut is the latest of
those dates."""

import csv
import datetime as dt
import hashlib
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.closes import store
from orchestration.defs.close.partitions import MUNICIPALITIES_SEED
from orchestration.defs.close.quarterly_close import DELIVERIES, KPI_VALUES, PARTITION_RANGE_TAGS, REPORT, SIGNALS

QUARTER, REGION = "2024-Q3", "JZ32"
AS_OF = dt.date(2024, 11, 11)  # 30 September + the default 42 days
RAW_DELIVERY_DATES = {
    "ijw_declaration_lines": "declaration_date",
    "ijw_allocations": "message_date",
    "ijw_start_events": "message_date",
    "ijw_stop_events": "message_date",
    "ijw_referral_requests": "requested_on",
}


def file_sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def close_run(sample_run, definitions):
    with pytest.MonkeyPatch.context() as monkeypatch:
        warehouse = sample_run["warehouse"]
        monkeypatch.setenv("WAREHOUSE_DIR", str(warehouse))
        monkeypatch.setenv("WAREHOUSE_LANDING_DIR", str(sample_run["landing"]))
        monkeypatch.setenv("WAREHOUSE_PSEUDONYM_KEY", "integration-test-key-0123456789")
        monkeypatch.setenv("WAREHOUSE_DUCKDB_PATH", str(sample_run["db"]))
        monkeypatch.delenv("WAREHOUSE_CLOSE_LAG_DAYS", raising=False)
        live_before = file_sha256(sample_run["db"])
        result = definitions.resolve_job_def("quarterly_close_job").execute_in_process(
            instance=dg.DagsterInstance.ephemeral(), partition_key=f"{QUARTER}|{REGION}"
        )
        yield {
            "result": result,
            "live_before": live_before,
            "live_after": file_sha256(sample_run["db"]),
            "closes": store.closes_path(warehouse / "closes"),
            "live": sample_run["db"],
        }


@pytest.fixture(scope="module")
def stored(close_run):
    with duckdb.connect(str(close_run["closes"]), read_only=True) as con:
        (close,) = con.execute(
            "select close_id, data_cut, as_of, run_id, deliveries, report_path from close_history.closes"
        ).fetchall()
        kpi_scopes = con.execute(
            "select distinct scope_type, scope_code from close_history.kpi_values where close_id = ?", [close[0]]
        ).fetchall()
        delivered = {row[0] for row in con.execute("select file_sha256 from close_history.deliveries").fetchall()}
        changes = con.execute("select count(*) from closes.close_changes").fetchone()[0]
    return {"close": close, "kpi_scopes": kpi_scopes, "delivered": delivered, "changes": changes}


def region_municipalities(region_code: str = REGION) -> set[str]:
    with MUNICIPALITIES_SEED.open(encoding="utf-8", newline="") as seed:
        return {row["municipality_code"] for row in csv.DictReader(seed) if row["region_code"] == region_code}


def raw_deliveries(live, as_of: dt.date, municipalities: set[str] | None = None) -> dict[str, dt.date]:
    """file_sha256 -> its latest message date, over the raw tables' records dated on or before as_of."""
    found: dict[str, dt.date] = {}
    with duckdb.connect(str(live), read_only=True) as con:
        for table, column in RAW_DELIVERY_DATES.items():
            rows = con.execute(
                f"select file_sha256, max({column}) from raw.{table} where {column} <= ? "  # noqa: S608
                "and (? or municipality_code in (select unnest(?))) group by file_sha256",
                [as_of, municipalities is None, sorted(municipalities or [])],
            ).fetchall()
            for sha, day in rows:
                found[sha] = max(day, found.get(sha, day))
    return found


def test_the_close_run_materialises_every_close_asset_for_its_partition(close_run):
    result = close_run["result"]
    assert result.success
    materialised = {
        (materialization.asset_key, materialization.partition)
        for materialization in result.asset_materializations_for_node("quarterly_close")
    }
    assert materialised == {(key, f"{QUARTER}|{REGION}") for key in (KPI_VALUES, SIGNALS, DELIVERIES, REPORT)}


def test_the_close_keeps_its_run_and_as_its_cut_the_latest_delivery_date_it_includes(close_run, stored):
    close_id, data_cut, as_of, run_id, _, _ = stored["close"]
    assert run_id == close_run["result"].run_id and close_id == f"{QUARTER}|{REGION}|{run_id}"
    assert as_of == AS_OF
    assert data_cut == max(raw_deliveries(close_run["live"], AS_OF).values())
    # The sample's traffic runs into 2025: a cut that kept everything would prove nothing.
    assert max(raw_deliveries(close_run["live"], dt.date(2099, 1, 1)).values()) > AS_OF


def test_the_close_saw_exactly_its_regions_deliveries_up_to_the_cut(close_run, stored):
    expected = raw_deliveries(close_run["live"], AS_OF, region_municipalities())
    assert expected and stored["delivered"] == set(expected)
    assert stored["close"][4] == len(expected)


def test_the_frozen_figures_are_the_regions_and_its_municipalities(stored):
    scopes = stored["kpi_scopes"]
    assert ("region", REGION) in scopes
    assert {code for kind, code in scopes if kind == "municipality"} <= region_municipalities()
    assert {kind for kind, _ in scopes} == {"region", "municipality"}
    assert stored["changes"] == 0  # one cut: nothing to compare with yet


def test_the_report_renders_again_from_the_store_byte_for_byte(close_run, stored):
    close_id, data_cut, _, run_id, _, report_path = stored["close"]
    written = Path(report_path).read_bytes()
    assert store.report_from_history(close_run["closes"], close_id) == written
    page = written.decode("utf-8")
    assert f'data-close-cut="{data_cut}"' in page and f'data-close-run="{run_id}"' in page
    assert "2024-Q3" in page and REGION in page


def test_the_live_warehouse_is_never_written(close_run):
    assert close_run["live_after"] == close_run["live_before"]


def test_a_run_tagged_with_another_partition_than_its_range_closes_nothing(definitions, warehouse_env):
    # The tags Dagster 1.13's job backfill gives its second run of 2024-Q3|JZ10 and 2024-Q3|JZ32 (seen in the UI's
    # backfill, tests/test_dagster_ui_browser.py): its own range, the first run's quarter and region.
    warehouse_dir, _ = warehouse_env
    tags = dict.fromkeys(PARTITION_RANGE_TAGS, f"{QUARTER}|{REGION}")
    tags |= {"dagster/partition/quarter": QUARTER, "dagster/partition/region": "JZ10"}
    result = definitions.resolve_job_def("quarterly_close_job").execute_in_process(
        instance=dg.DagsterInstance.ephemeral(), tags=tags, raise_on_error=False
    )
    assert not result.success
    [failure] = [event for event in result.all_events if event.is_step_failure]
    message = failure.step_failure_data.user_failure_data.description
    assert f"launched for {QUARTER}|{REGION} but its partition tags name {QUARTER}|JZ10" in message
    assert not (warehouse_dir / "closes").exists(), "nothing closed"

"""The automation of orchestration/defs/automation: refresh_job's selection, the landing sensor (settling, one run at
a time, its cursor across a restart, stat only), the run-failure alert against a webhook on 127.0.0.1, and the
delivery freshness rule. Sensors are evaluated with Dagster's build_sensor_context and
build_run_status_sensor_context, as the daemon would."""

from __future__ import annotations

import builtins
import datetime as dt
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.defs.automation import landing_sensor as landing
from orchestration.defs.automation.delivery_freshness import IJW_TABLES, judge, latest_deliveries
from orchestration.defs.automation.failure_alerts import RUN_FAILURES, run_failure_alert
from orchestration.defs.automation.jobs import QUARTERLY_CLOSE_GROUP, refresh_job
from orchestration.settings import REPO_ROOT, Settings, SettingsError


def test_refresh_job_selects_everything_but_the_quarterly_close():
    @dg.asset(group_name="ingest")
    def delivered() -> None: ...

    @dg.asset(group_name=QUARTERLY_CLOSE_GROUP, deps=[delivered])
    def close() -> None: ...

    def selected(*assets) -> set[str]:
        job = dg.Definitions(assets=list(assets), jobs=[refresh_job]).resolve_job_def(refresh_job.name)
        return {key.to_user_string() for key in job.asset_layer.executable_asset_keys}

    assert selected(delivered, close) == {"delivered"}
    assert selected(delivered) == {"delivered"}, "before the close exists the selection still resolves"


def test_refresh_job_covers_every_materializable_asset_of_the_project(definitions):
    job = definitions.resolve_job_def(refresh_job.name)
    graph = definitions.resolve_asset_graph()
    expected = {key for key in graph.materializable_asset_keys if graph.get(key).group_name != QUARTERLY_CLOSE_GROUP}
    assert set(job.asset_layer.executable_asset_keys) == expected


@pytest.fixture
def landing_dir(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "landing"
    (folder / "ijw" / "2024" / "03").mkdir(parents=True)
    monkeypatch.setenv("WAREHOUSE_LANDING_DIR", str(folder))
    monkeypatch.setenv("WAREHOUSE_DIR", str(tmp_path / "warehouse"))
    return folder


class Ticks:
    """The landing sensor evaluated tick after tick, its cursor carried over as Dagster stores it."""

    def __init__(self, instance: dg.DagsterInstance):
        self.instance = instance
        self.cursor: str | None = None

    def tick(self) -> dg.SensorResult:
        context = dg.build_sensor_context(instance=self.instance, cursor=self.cursor)
        result = landing.landing_sensor(context)
        self.cursor = result.cursor if result.cursor is not None else self.cursor
        return result


@pytest.fixture
def ticks() -> Iterator[Ticks]:
    with dg.DagsterInstance.ephemeral() as instance:
        yield Ticks(instance)


def deliver(path: Path, content: str, mtime_ns: int = 1_700_000_000 * 10**9) -> None:
    path.write_text(content)
    os.utime(path, ns=(mtime_ns, mtime_ns))


def test_a_new_delivery_starts_one_run_once_it_held_for_a_tick(landing_dir, ticks):
    assert ticks.tick().skip_reason.skip_message.endswith("holds no deliveries.")
    deliver(landing_dir / "ijw" / "2024" / "03" / "JW301_a.xml", "<a/>")
    first = ticks.tick()
    assert not first.run_requests and "waiting a tick" in first.skip_reason.skip_message
    second = ticks.tick()
    assert len(second.run_requests) == 1 and second.run_requests[0].tags == {"landing/entries": "1"}
    third = ticks.tick()
    assert not third.run_requests and "No change" in third.skip_reason.skip_message


def test_a_half_written_file_is_left_until_its_size_and_mtime_hold(landing_dir, ticks):
    delivery = landing_dir / "ijw" / "2024" / "03" / "JW323_b.xml"
    deliver(delivery, "<Bericht>")
    assert not ticks.tick().run_requests
    deliver(delivery, "<Bericht><Header/>", mtime_ns=1_700_000_001 * 10**9)  # still being written: it grew
    assert not ticks.tick().run_requests
    deliver(delivery, "<Bericht><Header/>", mtime_ns=1_700_000_002 * 10**9)  # same size, touched again
    assert not ticks.tick().run_requests
    assert len(ticks.tick().run_requests) == 1, "unchanged for a tick: landed"


def test_changed_and_removed_deliveries_start_a_run_and_the_cursor_survives_a_restart(landing_dir, ticks):
    delivery = landing_dir / "ijw" / "2024" / "03" / "JW301_c.xml"
    deliver(delivery, "<a/>")
    ticks.tick()
    assert ticks.tick().run_requests
    stored = ticks.cursor

    # A restarted daemon evaluates the sensor with the stored cursor, in a new process and instance.
    with dg.DagsterInstance.ephemeral() as instance:
        restarted = Ticks(instance)
        restarted.cursor = stored
        assert not restarted.tick().run_requests, "nothing changed while the daemon was down"
        deliver(delivery, "<b/>")  # same size and mtime as before would not count; this content is rewritten...
        os.utime(delivery, ns=(1_800_000_000 * 10**9,) * 2)  # ...with a new mtime, as every writer leaves it
        restarted.tick()
        assert restarted.tick().run_requests, "a changed delivery"
        delivery.unlink()
        restarted.tick()
        assert restarted.tick().run_requests, "a withdrawn delivery changes the warehouse too"
    assert set(json.loads(stored)) == {"seen", "requested"}


@pytest.mark.parametrize(
    "status",
    [
        # QUEUED needs a run the queue can launch (its code location's origin): the next test submits one.
        dg.DagsterRunStatus.NOT_STARTED,
        dg.DagsterRunStatus.STARTING,
        dg.DagsterRunStatus.STARTED,
        dg.DagsterRunStatus.CANCELING,
    ],
)
def test_one_refresh_run_at_a_time(landing_dir, ticks, status):
    deliver(landing_dir / "ijw" / "2024" / "03" / "JW305_d.xml", "<a/>")
    ticks.tick()
    active = dg.DagsterRun(job_name=refresh_job.name, run_id="active-refresh", status=status)
    ticks.instance.add_run(active)
    for run_id, job_name, other_status in (
        ("finished-refresh", refresh_job.name, dg.DagsterRunStatus.SUCCESS),
        ("failed-refresh", refresh_job.name, dg.DagsterRunStatus.FAILURE),
        ("other-job", "some_other_job", dg.DagsterRunStatus.STARTED),
    ):
        ticks.instance.add_run(dg.DagsterRun(job_name=job_name, run_id=run_id, status=other_status))
    assert ticks.instance.get_run_by_id(active.run_id).status == status
    waiting = ticks.tick()
    assert not waiting.run_requests and "queued or in progress" in waiting.skip_reason.skip_message
    assert not ticks.tick().run_requests, "still waiting on the next tick"
    ticks.instance.delete_run(active.run_id)
    assert len(ticks.tick().run_requests) == 1, "the pending change runs once the refresh run is gone"


@dg.op
def refresh_stand_in() -> None: ...


@dg.job(name=refresh_job.name)
def queued_refresh():
    refresh_stand_in()


def test_a_refresh_run_waiting_in_the_run_queue_holds_back_the_next(landing_dir):
    # instance_for_test's instance queues runs (QueuedRunCoordinator) and sets DAGSTER_HOME for the CLI below; with
    # no daemon to dequeue it, the submitted run stays QUEUED, as one does behind the writer pool.
    with dg.instance_for_test() as instance:
        ticks = Ticks(instance)
        deliver(landing_dir / "ijw" / "2024" / "03" / "JW305_q.xml", "<a/>")
        ticks.tick()
        subprocess.run(
            [str(Path(sys.executable).parent / "dagster"), "job", "launch", "-f", __file__, "-a", "queued_refresh"],
            cwd=REPO_ROOT,
            check=True,
            capture_output=True,
        )
        [queued] = instance.get_runs()
        assert (queued.job_name, queued.status) == (refresh_job.name, dg.DagsterRunStatus.QUEUED)
        waiting = ticks.tick()
        assert not waiting.run_requests and "queued or in progress" in waiting.skip_reason.skip_message
        instance.delete_run(queued.run_id)
        assert len(ticks.tick().run_requests) == 1, "the pending change runs once the queued run is gone"


def test_the_sensor_never_opens_a_landed_file(landing_dir, ticks, monkeypatch):
    deliver(landing_dir / "ijw" / "2024" / "03" / "JW301_e.xml", "<a/>")
    os.mkfifo(landing_dir / "ijw" / "2024" / "03" / "JW301_fifo.xml")  # opening it would block the tick
    (landing_dir / "ijw" / "link.xml").symlink_to("/etc/hostname")

    def refuse(*args, **kwargs):
        raise AssertionError(f"the sensor opened {args[0]!r}")

    monkeypatch.setattr(builtins, "open", refuse)
    monkeypatch.setattr(os, "open", refuse)
    ticks.tick()
    assert ticks.tick().run_requests[0].tags == {"landing/entries": "3"}


class Webhook(BaseHTTPRequestHandler):
    """Records each POST's JSON body; answers with the server's status."""

    def do_POST(self):  # noqa: N802 - http.server's name
        length = int(self.headers["Content-Length"])
        self.server.received.append(json.loads(self.rfile.read(length)))
        self.send_response(self.server.status)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def webhook() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Webhook)
    server.received, server.status = [], 204
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@dg.op
def load_deliveries() -> None:
    raise RuntimeError("JW323 batch 7 would not load")


@dg.job
def failing_job():
    load_deliveries()


def evaluate_failure_alert(instance: dg.DagsterInstance) -> str:
    """Run failing_job and evaluate the failure sensor on its failure; returns the run id."""
    result = failing_job.execute_in_process(instance=instance, raise_on_error=False)
    assert not result.success
    context = dg.build_run_status_sensor_context(
        sensor_name=run_failure_alert.name,
        dagster_event=result.get_run_failure_event(),
        dagster_instance=instance,
        dagster_run=instance.get_run_by_id(result.run_id),
    ).for_run_failure()
    run_failure_alert(context)
    return result.run_id


def recorded_failures(instance: dg.DagsterInstance) -> list[dict]:
    records = instance.fetch_observations(RUN_FAILURES, limit=10).records
    return [{name: value.value for name, value in record.asset_observation.metadata.items()} for record in records]


def test_a_failed_run_is_posted_to_the_webhook_and_recorded(webhook, monkeypatch):
    monkeypatch.setenv("WAREHOUSE_ALERT_WEBHOOK_URL", f"http://127.0.0.1:{webhook.server_port}/alerts")
    with dg.DagsterInstance.ephemeral() as instance:
        run_id = evaluate_failure_alert(instance)
        [recorded] = recorded_failures(instance)
    [posted] = webhook.received
    assert posted["run_id"] == run_id and posted["job"] == "failing_job"
    assert posted["step"] == "load_deliveries" and posted["failed_steps"] == ["load_deliveries"]
    assert "JW323 batch 7 would not load" in posted["message"]
    assert recorded["run"] == run_id and recorded["job"] == "failing_job" and recorded["step"] == "load_deliveries"
    assert "JW323 batch 7 would not load" in recorded["message"]
    assert recorded["webhook"] == "sent (HTTP 204)"


def test_a_webhook_that_fails_or_is_unset_still_leaves_the_record(webhook, monkeypatch):
    webhook.status = 500
    monkeypatch.setenv("WAREHOUSE_ALERT_WEBHOOK_URL", f"http://127.0.0.1:{webhook.server_port}/alerts")
    with dg.DagsterInstance.ephemeral() as instance:
        evaluate_failure_alert(instance)
        monkeypatch.delenv("WAREHOUSE_ALERT_WEBHOOK_URL")
        evaluate_failure_alert(instance)
        outcomes = [failure["webhook"] for failure in recorded_failures(instance)]
    assert len(webhook.received) == 1
    assert sorted(outcomes) == ["failed: HTTP 500", "not configured (WAREHOUSE_ALERT_WEBHOOK_URL)"]


def test_the_settings_refuse_a_webhook_that_is_not_http(monkeypatch):
    monkeypatch.setenv("WAREHOUSE_ALERT_WEBHOOK_URL", "file:///etc/passwd")
    monkeypatch.setenv("WAREHOUSE_DELIVERY_STALE_DAYS", "0")
    with pytest.raises(SettingsError) as raised:
        Settings.from_env()
    assert [problem.split(" ")[0] for problem in raised.value.problems] == [
        "WAREHOUSE_ALERT_WEBHOOK_URL",
        "WAREHOUSE_DELIVERY_STALE_DAYS",
    ]


def test_latest_delivery_per_municipality_across_the_ijw_tables():
    with duckdb.connect(":memory:") as con:
        con.execute("create schema raw")
        for table in IJW_TABLES:
            con.execute(f"create table {table} (municipality_code varchar, ingested_at timestamptz)")
        con.execute("insert into raw.ijw_allocations values ('GM0392', '2024-03-01 10:00:00+00')")
        con.execute("insert into raw.ijw_declaration_lines values ('GM0392', '2024-04-02 10:00:00+00')")
        con.execute("insert into raw.ijw_stop_events values ('GM0453', '2024-01-15 08:00:00+00')")
        latest = latest_deliveries(con)
    assert {code: moment.astimezone(dt.UTC) for code, moment in latest.items()} == {
        "GM0392": dt.datetime(2024, 4, 2, 10, tzinfo=dt.UTC),
        "GM0453": dt.datetime(2024, 1, 15, 8, tzinfo=dt.UTC),
    }


def test_freshness_warns_past_the_limit_and_lists_who_never_delivered():
    now = dt.datetime(2024, 5, 1, 12, tzinfo=dt.UTC)
    latest = {
        "GM0392": dt.datetime(2024, 4, 2, 10, tzinfo=dt.UTC),  # 29 days
        "GM0453": dt.datetime(2024, 3, 16, 12, tzinfo=dt.UTC),  # 46 days
        "GM0361": dt.datetime(2024, 3, 17, 12, tzinfo=dt.UTC),  # 45 days: on the limit, not past it
        "GM9999": dt.datetime(2020, 1, 1, tzinfo=dt.UTC),  # no municipality of the regions
    }
    freshness = judge(latest, ["GM0361", "GM0392", "GM0453", "GM0268"], now, days=45)
    assert freshness.stale == {"GM0453": 46}
    assert freshness.never_delivered == ["GM0268"]
    assert sorted(freshness.latest) == ["GM0361", "GM0392", "GM0453"]

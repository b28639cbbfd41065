"""A run killed with SIGKILL in any step leaves nothing that stops the next one, and a run checks its settings first.

Each kill test starts `dg launch` (the command `make run` uses) on an instance of its own, kills the run's process
while a step of the given kind holds the only slot of the pool `duckdb_writer` (the state that made every later run
wait for ever), then launches the same selection again and requires it to finish on its own: the dead run marked
failed with the reason, every slot free, the step's data whole.
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.defs.resources import WRITER_POOL
from orchestration.defs.run_guard import RUN_LOCKS_DIR, WAREHOUSE_RUN_LOCK, RunWaitTimeout, guarded_run
from orchestration.settings import Settings, SettingsError, checked_settings
from orchestration.warehouse.publish import publish_marts
from tests.conftest import REPO_ROOT, copy_sample_ijw

BIN = Path(sys.executable).parent
NEXT_RUN_TIMEOUT_SECONDS = 600
SELECTIONS = {
    "ingest": 'key:"audit/ijw_landed_files" or key:"raw/ijw_*"',
    # A seed whose tests read no other node, so it builds alone in a fresh warehouse.
    "dbt": 'key:"reference/dutch_municipalities"',
    "publish": 'key:"published/marts"',
}
PUBLISHED_ROWS = 20_000_000
"""Rows of the mart made for the publish case: enough that copying it outlasts the moment the kill takes to land."""


@pytest.fixture
def instance_env(tmp_path, monkeypatch) -> dict[str, str]:
    """A Dagster instance configured as `make run` configures it, a warehouse and a landing directory of its own."""
    home, warehouse, landing = tmp_path / "dagster_home", tmp_path / "warehouse", tmp_path / "landing"
    home.mkdir()
    landing.mkdir()
    shutil.copy(REPO_ROOT / "dagster.yaml", home / "dagster.yaml")
    env = {
        "DAGSTER_HOME": str(home),
        "WAREHOUSE_DIR": str(warehouse),
        "WAREHOUSE_LANDING_DIR": str(landing),
        "WAREHOUSE_PSEUDONYM_KEY": "crashed-runs-test-key-0123456789",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


def launch(selection: str, env: dict[str, str], log: Path) -> subprocess.Popen:
    with log.open("w") as output:
        return subprocess.Popen(
            [str(BIN / "dg"), "launch", "--assets", selection],
            cwd=REPO_ROOT,
            env={**os.environ, **env, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"},
            stdout=output,
            stderr=subprocess.STDOUT,
        )


def wait_until(condition, child: subprocess.Popen, log: Path, what: str) -> None:
    while not condition():
        assert child.poll() is None, f"the run ended before {what}:\n{log.read_text()[-3000:]}"
        time.sleep(0.005)


def step_started(log: Path, step: str):
    return lambda: f'STEP_START - Started execution of step "{step}"' in log.read_text()


def children_of(pid: int) -> list[tuple[int, str]]:
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                cmdline = (stat.parent / "cmdline").read_bytes().decode(errors="replace")
                children.append((int(stat.parent.name), cmdline))
        except (OSError, IndexError, ValueError):
            continue
    return children


def slot_holders(instance: dg.DagsterInstance) -> set[str]:
    info = instance.event_log_storage.get_concurrency_info(WRITER_POOL)
    return {slot.run_id for slot in info.claimed_slots} | {step.run_id for step in info.pending_steps}


def file_sha256s(landing: Path) -> set[str]:
    return {hashlib.sha256(path.read_bytes()).hexdigest() for path in landing.rglob("*.xml")}


def land_ijw(landing: Path) -> None:
    """The shipped sample's messages up to 2023 (its back history): a few hundred files, an ingest of some seconds."""
    for year in (REPO_ROOT / "seeds" / "sample" / "ijw").iterdir():
        if year.name <= "2023":
            shutil.copytree(year, landing / "ijw" / year.name)


def make_marts(warehouse: Path) -> None:
    warehouse.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(warehouse / "warehouse.duckdb"))
    try:
        con.execute("create schema public_marts")
        con.execute(
            "create table public_marts.big_mart as select range as id, range * 7 as amount "
            f"from range({PUBLISHED_ROWS})"
        )
    finally:
        con.close()


@pytest.mark.parametrize("step", ["ingest", "dbt", "publish"])
def test_a_run_killed_in_a_step_leaves_the_next_run_to_finish_unaided(step, instance_env, tmp_path):
    landing, warehouse = Path(instance_env["WAREHOUSE_LANDING_DIR"]), Path(instance_env["WAREHOUSE_DIR"])
    if step == "ingest":
        land_ijw(landing)
    if step == "publish":
        make_marts(warehouse)
    killed_log, next_log = tmp_path / "killed.log", tmp_path / "next.log"
    orphans: list[int] = []

    killed = launch(SELECTIONS[step], instance_env, killed_log)
    try:
        if step == "ingest":
            wait_until(step_started(killed_log, "ijw_messages"), killed, killed_log, "the ingest started")
        elif step == "dbt":
            # Killed while dbt builds in its own process, which outlives the run and holds the DuckDB file a while.
            wait_until(
                lambda: any("dbt" in cmdline for _, cmdline in children_of(killed.pid)), killed, killed_log, "dbt ran"
            )
            orphans = [pid for pid, cmdline in children_of(killed.pid) if "dbt" in cmdline]
        else:
            published = warehouse / "published"
            wait_until(lambda: any(published.glob("publishing-*.duckdb.tmp")), killed, killed_log, "publish began")
        killed.send_signal(signal.SIGKILL)
    finally:
        killed.kill()
        killed.wait()

    killed_run_id = _run_id(killed_log)
    with dg.DagsterInstance.get() as instance:
        killed_run = instance.get_run_by_id(killed_run_id)
        assert killed_run.status == dg.DagsterRunStatus.STARTED
        assert slot_holders(instance) == {killed_run_id}, "the killed run should hold the writer pool's only slot"
    if step == "publish":
        assert any((warehouse / "published").glob("publishing-*.duckdb.tmp"))

    following = launch(SELECTIONS[step], instance_env, next_log)
    try:
        returncode = following.wait(timeout=NEXT_RUN_TIMEOUT_SECONDS)
    finally:
        following.kill()
        following.wait()
        for orphan in orphans:
            _wait_for_exit(orphan)
    output = next_log.read_text()
    assert returncode == 0, output[-3000:]
    assert f"run {killed_run_id} (STARTED) died without finishing: marked it failed" in output

    with dg.DagsterInstance.get() as instance:
        assert instance.get_run_by_id(killed_run_id).status == dg.DagsterRunStatus.FAILURE
        failure = instance.all_logs(killed_run_id, of_type=dg.DagsterEventType.RUN_FAILURE)
        assert "process is gone" in failure[-1].dagster_event.message
        assert instance.get_run_by_id(_run_id(next_log)).status == dg.DagsterRunStatus.SUCCESS
        assert slot_holders(instance) == set()

    with duckdb.connect(str(warehouse / "warehouse.duckdb"), read_only=True) as con:
        if step == "ingest":
            per_file = dict(
                con.execute(
                    "select file_sha256, count(*) from audit.ingest_ledger where status <> 'duplicate' group by 1"
                ).fetchall()
            )
            assert per_file == dict.fromkeys(file_sha256s(landing), 1)
        if step == "dbt":
            seed_path = REPO_ROOT / "seeds" / "reference" / "dutch_municipalities.csv"
            with seed_path.open(newline="", encoding="utf-8") as seed:
                expected = sum(1 for _ in csv.DictReader(seed))
            assert con.execute("select count(*) from reference.dutch_municipalities").fetchone()[0] == expected
    if step == "publish":
        published = warehouse / "published"
        assert sorted(path.name for path in published.iterdir()) == ["marts.duckdb"]
        with duckdb.connect(str(published / "marts.duckdb"), read_only=True) as con:
            assert con.execute("select count(*), sum(amount) from big_mart").fetchone() == (
                PUBLISHED_ROWS,
                7 * PUBLISHED_ROWS * (PUBLISHED_ROWS - 1) // 2,
            )


def _run_id(log: Path) -> str:
    match = re.search(r" - ([0-9a-f-]{36}) - \d+ - RUN_START - ", log.read_text())
    assert match, log.read_text()[-3000:]
    return match.group(1)


def _wait_for_exit(pid: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    if Path(f"/proc/{pid}").exists():
        os.kill(pid, signal.SIGKILL)


HOLD_THE_WAREHOUSE = """
import logging, sys, time
import dagster as dg
from orchestration.defs.run_guard import guarded_run
from orchestration.settings import Settings, SettingsError, checked_settings
from orchestration.warehouse.publish import publish_marts

with dg.DagsterInstance.get() as instance:
    with guarded_run(instance, dg.DagsterRun(job_name="holder", run_id=sys.argv[1]), Settings.from_env(),
                     logging.getLogger("holder")):
        print("held", flush=True)
        time.sleep(600)
"""

HOLD_A_FILE_LOCK = """
import fcntl, sys, time
handle = open(sys.argv[1], "a+")
fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
print("held", flush=True)
time.sleep(600)
"""

HOLD_THE_DUCKDB_FILE = """
import sys, time
import duckdb
con = duckdb.connect(sys.argv[1])
print("held", flush=True)
time.sleep(600)
"""


def hold(script: str, *args: str) -> subprocess.Popen:
    holder = subprocess.Popen([sys.executable, "-c", script, *args], cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    return holder


def test_a_waiting_run_names_the_run_it_waits_for_gives_up_in_time_and_goes_on_once_that_run_is_killed(
    instance_env, monkeypatch, caplog
):
    monkeypatch.setenv("WAREHOUSE_RUN_WAIT_SECONDS", "2")
    log = logging.getLogger("waiting-run")
    holder = hold(HOLD_THE_WAREHOUSE, "holding-run-id")
    try:
        with dg.DagsterInstance.get() as instance:
            waiting = dg.DagsterRun(job_name="waiter", run_id="waiting-run-id")
            started = time.monotonic()
            with (
                caplog.at_level(logging.INFO, logger="waiting-run"),
                pytest.raises(RunWaitTimeout, match=r"2 s \(WAREHOUSE_RUN_WAIT_SECONDS\) for run holding-run-id"),
                guarded_run(instance, waiting, Settings.from_env(), log),
            ):
                pytest.fail("the run went ahead while another held the warehouse")
            assert 2 <= time.monotonic() - started < 10
            assert f"waiting for run holding-run-id (pid {holder.pid}" in caplog.text

            holder.send_signal(signal.SIGKILL)
            holder.wait()
            with guarded_run(instance, waiting, Settings.from_env(), log):
                lock = Path(instance.root_directory) / WAREHOUSE_RUN_LOCK
                assert json.loads(lock.read_text())["run_id"] == "waiting-run-id"
    finally:
        holder.kill()
        holder.wait()


def test_a_run_waits_for_a_process_still_holding_the_duckdb_file_and_says_so(instance_env, monkeypatch, caplog):
    monkeypatch.setenv("WAREHOUSE_RUN_WAIT_SECONDS", "2")
    database = Path(instance_env["WAREHOUSE_DIR"]) / "warehouse.duckdb"
    database.parent.mkdir(parents=True)
    duckdb.connect(str(database)).close()
    log = logging.getLogger("waiting-run")
    holder = hold(HOLD_THE_DUCKDB_FILE, str(database))
    try:
        with dg.DagsterInstance.get() as instance:
            run = dg.DagsterRun(job_name="waiter", run_id="waiting-run-id")
            with (
                caplog.at_level(logging.INFO, logger="waiting-run"),
                pytest.raises(RunWaitTimeout, match=f"another process to close the warehouse {database}"),
                guarded_run(instance, run, Settings.from_env(), log),
            ):
                pytest.fail("the run went ahead while another process held the DuckDB file")
            assert str(holder.pid) in caplog.text, "DuckDB names the process holding its file"

            holder.send_signal(signal.SIGKILL)
            holder.wait()
            with guarded_run(instance, run, Settings.from_env(), log):
                pass
    finally:
        holder.kill()
        holder.wait()


@dg.op
def nothing() -> None:
    pass


@dg.job
def started_elsewhere() -> None:
    nothing()


def started_run(instance: dg.DagsterInstance) -> str:
    return instance.create_run_for_job(started_elsewhere, status=dg.DagsterRunStatus.STARTED).run_id


def test_only_runs_whose_process_is_gone_are_marked_failed(instance_env):
    """A run in progress whose lock is held is alive and left alone; once its process is killed it is marked failed.
    A run that holds a slot without a lock file (left by a version without this guard) is dead too."""
    log = logging.getLogger("next-run")
    with dg.DagsterInstance.get() as instance:
        alive, unguarded = started_run(instance), started_run(instance)
        instance.event_log_storage.initialize_concurrency_limit_to_default(WRITER_POOL)
        assert instance.event_log_storage.claim_concurrency_slot(WRITER_POOL, unguarded, "a_step").is_claimed
        locks = Path(instance.root_directory) / RUN_LOCKS_DIR
        locks.mkdir()
        holder = hold(HOLD_A_FILE_LOCK, str(locks / f"{alive}.lock"))
        try:
            with guarded_run(instance, dg.DagsterRun(job_name="next", run_id="next-run"), Settings.from_env(), log):
                assert instance.get_run_by_id(alive).status == dg.DagsterRunStatus.STARTED
                assert instance.get_run_by_id(unguarded).status == dg.DagsterRunStatus.FAILURE
                assert slot_holders(instance) == set()
            holder.send_signal(signal.SIGKILL)
            holder.wait()
            with guarded_run(instance, dg.DagsterRun(job_name="next", run_id="later-run"), Settings.from_env(), log):
                assert instance.get_run_by_id(alive).status == dg.DagsterRunStatus.FAILURE
        finally:
            holder.kill()
            holder.wait()


SETTINGS_THAT_CANNOT_WORK = {
    "WAREHOUSE_PSEUDONYM_KEY": "short-secret",
    "WAREHOUSE_TARGET": "oracle",
    "CBS_MODE": "sometimes",
    "WAREHOUSE_INGEST_PROCESSES": "two",
    "WAREHOUSE_DBT_THREADS": "0",
    "WAREHOUSE_SUPPRESSION_THRESHOLD": "-1",
    "WAREHOUSE_RUN_WAIT_SECONDS": "0",
}


def test_every_setting_that_cannot_work_is_named_in_one_message(monkeypatch):
    for name, value in SETTINGS_THAT_CANNOT_WORK.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as raised:
        Settings.from_env()
    message = str(raised.value)
    assert len(raised.value.problems) == len(SETTINGS_THAT_CANNOT_WORK)
    for name in SETTINGS_THAT_CANNOT_WORK:
        assert name in message
    assert "at least 16 bytes, not 12" in message
    assert "short-secret" not in message, "the key is a secret"


def test_a_run_checks_paths_and_the_memory_limit_before_it_starts(tmp_path, monkeypatch):
    a_file = tmp_path / "a_file"
    a_file.write_text("not a directory")
    monkeypatch.setenv("WAREHOUSE_DIR", str(a_file / "warehouse"))
    monkeypatch.setenv("WAREHOUSE_LANDING_DIR", str(a_file))
    monkeypatch.setenv("IJW_XSD_DIR", str(tmp_path / "no_xsds_here"))
    monkeypatch.setenv("WAREHOUSE_DUCKDB_MEMORY_LIMIT", "lots")
    Settings.from_env()  # each value alone is well-formed; what they point at is not
    with pytest.raises(SettingsError) as raised:
        checked_settings()
    problems = raised.value.problems
    assert [problem.split()[0] for problem in problems] == [
        "WAREHOUSE_DUCKDB_MEMORY_LIMIT",
        "WAREHOUSE_DIR",
        "WAREHOUSE_LANDING_DIR",
        "IJW_XSD_DIR",
    ]
    monkeypatch.setenv("WAREHOUSE_DIR", str(tmp_path / "warehouse"))
    monkeypatch.setenv("WAREHOUSE_LANDING_DIR", str(tmp_path / "landing"))
    monkeypatch.delenv("IJW_XSD_DIR")
    monkeypatch.setenv("WAREHOUSE_DUCKDB_MEMORY_LIMIT", "1.5GiB")
    assert checked_settings().warehouse_dir == tmp_path / "warehouse"


def test_make_run_stops_on_a_short_pseudonym_key_before_it_lands_anything(instance_env, monkeypatch):
    landing = Path(instance_env["WAREHOUSE_LANDING_DIR"])
    result = subprocess.run(
        [sys.executable, "-m", "orchestration.landing"],
        cwd=REPO_ROOT,
        env={**os.environ, **instance_env, "WAREHOUSE_PSEUDONYM_KEY": "too-short"},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "WAREHOUSE_PSEUDONYM_KEY must be at least 16 bytes, not 9" in result.stderr
    assert "Traceback" not in result.stderr
    assert list(landing.iterdir()) == []


def test_a_run_with_a_short_pseudonym_key_fails_before_any_step(definitions, instance_env, monkeypatch):
    copy_sample_ijw(Path(instance_env["WAREHOUSE_LANDING_DIR"]))
    monkeypatch.setenv("WAREHOUSE_PSEUDONYM_KEY", "too-short")
    job = definitions.resolve_implicit_global_asset_job_def()
    with dg.DagsterInstance.get() as instance:
        result = job.execute_in_process(instance=instance, raise_on_error=False)
        steps_started = instance.all_logs(result.run_id, of_type=dg.DagsterEventType.STEP_START)
    assert not result.success
    assert steps_started == []
    (init_failure,) = [
        event for event in result.all_events if event.event_type == dg.DagsterEventType.RESOURCE_INIT_FAILURE
    ]
    assert "WAREHOUSE_PSEUDONYM_KEY must be at least 16 bytes, not 9" in str(init_failure.event_specific_data)
    assert not (Path(instance_env["WAREHOUSE_DIR"]) / "warehouse.duckdb").exists()


def test_a_publish_removes_what_a_killed_publish_left(tmp_path):
    warehouse, published = tmp_path / "warehouse.duckdb", tmp_path / "published"
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create schema public_marts")
        con.execute("create table public_marts.fct_example as select range as id from range(5)")
    published.mkdir()
    left = [published / "publishing-4242.duckdb.tmp", published / "publishing-4242.duckdb.tmp.wal"]
    for path in left:
        path.write_bytes(b"half a database")
    unrelated = published / "notes.txt"
    unrelated.write_text("kept")

    tables = publish_marts(warehouse, published)

    assert list(tables.items()) == [("fct_example", 5)]
    assert sorted(path.name for path in published.iterdir()) == ["marts.duckdb", "notes.txt"]

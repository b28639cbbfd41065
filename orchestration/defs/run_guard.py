"""What every run does before its first step: check the settings, wait its turn, and clean up after runs that died.

A run killed with SIGKILL (out of memory, a reboot) records nothing: Dagster keeps it STARTED and keeps the slot of
the pool `duckdb_writer` it held, and every later step waits for that slot for ever. Nothing in the run history says
whether a STARTED run still has a process, so each run holds two OS file locks in the Dagster instance's directory,
which the kernel releases when its process ends however it ends:

- `run_locks/<run_id>.lock`, held until the process exits: a run whose lock file is there and free is dead.
- `warehouse_run.lock`, held from here to the end of the run: one run at a time works on the warehouse, and a run
  that finds it taken logs which run holds it and gives up after WAREHOUSE_RUN_WAIT_SECONDS.

Holding the second lock, a run marks every dead run failed, with the reason, and frees the concurrency slots of every
other run (only a run holding this lock can hold one, since steps claim slots after resources are initialised). A
process a dead run started may outlive it (dbt runs in its own process); the run then waits, saying so, until that
process lets go of the DuckDB file. The locks are per process: the project runs every step in the run's process
(the in-process executor, resources.py).
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

import dagster as dg
import duckdb

from orchestration import warehouse_file
from orchestration.settings import Settings

RUN_LOCKS_DIR = "run_locks"
WAREHOUSE_RUN_LOCK = "warehouse_run.lock"
IN_PROGRESS = (dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.CANCELING)
START_GRACE_SECONDS = 180
"""A run in progress without a lock file may still be starting; Dagster's run monitoring gives a start this long."""
POLL_SECONDS = 1.0
WAIT_LOG_SECONDS = 60

_own_locks_held_until_exit: dict[Path, IO[str]] = {}
"""Each run's own lock stays open until the process exits: releasing it at the end of the run, before Dagster records
the run's success, would make the run look dead to a run starting in that moment."""


class RunWaitTimeout(dg.Failure):
    pass


@contextmanager
def guarded_run(instance: dg.DagsterInstance, run: dg.DagsterRun, settings: Settings, log) -> Iterator[None]:
    """Hold the warehouse for `run` until the context exits, once what dead runs left is cleaned up."""
    locks_dir = Path(instance.root_directory) / RUN_LOCKS_DIR
    locks_dir.mkdir(parents=True, exist_ok=True)
    _hold_own_lock(locks_dir / f"{run.run_id}.lock")
    deadline = time.monotonic() + settings.run_wait_seconds
    with _warehouse_run_lock(Path(instance.root_directory) / WAREHOUSE_RUN_LOCK, run, deadline, settings, log):
        recover_dead_runs(instance, run.run_id, locks_dir, log)
        _wait_for_the_warehouse_file(settings.duckdb_path, deadline, settings, log)
        yield


def recover_dead_runs(instance: dg.DagsterInstance, own_run_id: str, locks_dir: Path, log) -> None:
    """Mark failed every run in progress whose process is gone, and free every slot not held by this run.

    Called holding the warehouse run lock, so no other run is past its own start: a run still in progress is dead if
    its lock file is free, if it holds a concurrency slot or claim, or if it never took its lock and has not moved for
    START_GRACE_SECONDS (it died while starting, or before this guard existed)."""
    storage = instance.event_log_storage
    holding_slots = (
        set(storage.get_concurrency_run_ids()) - {own_run_id} if storage.supports_global_concurrency_limits else set()
    )
    now = time.time()
    for record in instance.get_run_records(filters=dg.RunsFilter(statuses=list(IN_PROGRESS))):
        run = record.dagster_run
        if run.run_id == own_run_id:
            continue
        lock_path = locks_dir / f"{run.run_id}.lock"
        if lock_path.exists():
            dead = _lock_is_free(lock_path)
        else:
            dead = run.run_id in holding_slots or now - record.update_timestamp.timestamp() > START_GRACE_SECONDS
        if not dead:
            continue
        reason = (
            f"This run's process is gone (killed, out of memory, or the machine restarted) while the run was "
            f"{run.status.value}; run {own_run_id} marked it failed and freed what it held."
        )
        instance.report_run_failed(run, reason)
        log.warning(f"run {run.run_id} ({run.status.value}) died without finishing: marked it failed")
    for run_id in sorted(holding_slots):
        # A run that ended without freeing its slots (Dagster frees a canceled run's only through its daemon) or a
        # dead one: either way it no longer runs a step.
        storage.free_concurrency_slots_for_run(run_id)
        log.warning(f"freed the concurrency slots and claims run {run_id} still held")
    for lock_path in locks_dir.glob("*.lock"):
        if lock_path.stem != own_run_id and _lock_is_free(lock_path) and not _in_progress(instance, lock_path.stem):
            lock_path.unlink(missing_ok=True)


def _in_progress(instance: dg.DagsterInstance, run_id: str) -> bool:
    run = instance.get_run_by_id(run_id)
    return run is not None and run.status in IN_PROGRESS


def _hold_own_lock(path: Path) -> None:
    if path in _own_locks_held_until_exit:
        return
    handle = path.open("a+")
    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    _own_locks_held_until_exit[path] = handle


def _lock_is_free(path: Path) -> bool:
    try:
        with path.open("a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    except FileNotFoundError:
        return True
    return True


@contextmanager
def _warehouse_run_lock(path: Path, run: dg.DagsterRun, deadline: float, settings: Settings, log) -> Iterator[None]:
    with path.open("a+") as handle:
        waited_since, logged_at = time.monotonic(), 0.0
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                holder = _holder(path)
                logged_at = _poll_or_give_up(
                    deadline,
                    logged_at,
                    settings,
                    log,
                    f"{holder} to finish with the warehouse {settings.duckdb_path}",
                    f"waiting for {holder} to finish with the warehouse (lock {path}); waited "
                    f"{time.monotonic() - waited_since:.0f} s, giving up after {settings.run_wait_seconds} s "
                    "(WAREHOUSE_RUN_WAIT_SECONDS)",
                )
        handle.seek(0)
        handle.truncate()
        holder = {"run_id": run.run_id, "pid": os.getpid(), "since": datetime.now(UTC).isoformat(timespec="seconds")}
        handle.write(json.dumps(holder))
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _poll_or_give_up(
    deadline: float, logged_at: float, settings: Settings, log, waiting_for: str, progress: str
) -> float:
    """One turn of a wait: give up past the deadline, log progress every WAIT_LOG_SECONDS, sleep a poll. Returns
    when it last logged."""
    if time.monotonic() >= deadline:
        raise RunWaitTimeout(
            f"gave up after waiting {settings.run_wait_seconds} s (WAREHOUSE_RUN_WAIT_SECONDS) for {waiting_for}"
        ) from None
    if time.monotonic() - logged_at >= WAIT_LOG_SECONDS:
        log.info(progress)
        logged_at = time.monotonic()
    time.sleep(POLL_SECONDS)
    return logged_at


def _holder(path: Path) -> str:
    try:
        holder = json.loads(path.read_text() or "{}")
    except (OSError, ValueError):
        holder = {}
    if not holder:
        return "another run"
    return f"run {holder.get('run_id')} (pid {holder.get('pid')}, since {holder.get('since')})"


def _wait_for_the_warehouse_file(database: Path, deadline: float, settings: Settings, log) -> None:
    """Wait until this process can open the DuckDB file for writing; a process another run left (an orphaned dbt, a
    notebook with the file open) has it. A file not there yet is made here, whole (warehouse_file), before any step:
    dbt would otherwise make it, and a kill within its first headers would leave a file no run opens."""
    database.parent.mkdir(parents=True, exist_ok=True)
    logged_at = 0.0
    while True:
        try:
            warehouse_file.connect(database, settings.duckdb_memory_limit).close()
            return
        except duckdb.IOException as error:
            if "lock" not in str(error).lower():
                return  # not another process's lock: the steps meet and report it themselves
            logged_at = _poll_or_give_up(
                deadline,
                logged_at,
                settings,
                log,
                f"another process to close the warehouse {database}: {error}",
                f"waiting for another process to close the warehouse {database}: {error}",
            )
        except duckdb.Error:
            return  # this process has the file open in another way (a test's read-only connection): not a wait

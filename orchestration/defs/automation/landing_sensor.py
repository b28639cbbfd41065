"""The landing sensor: new or changed deliveries start a refresh_job run, once the landing directory has settled.

Each tick takes the lstat (path, size, modification time) of every entry under the landing directory, never opening
a file, and keeps a digest of that state in the sensor's cursor (stored by Dagster, so it survives restarts). A run
is requested when the state differs from the one the last requested run saw and equals the previous tick's: a file
still being written changes size or mtime between ticks, so it is left for the next one. The whole directory is one
state, so the cursor stays small at national scale (1.6 million files) where a per-file cursor would not. While a
refresh run is queued or running no other is requested; the change stays pending until it ends.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import dagster as dg

from orchestration.defs.automation.jobs import refresh_job
from orchestration.settings import Settings

TICK_SECONDS = 60
"""A delivery must keep its size and mtime for a whole tick before it counts as landed."""
ACTIVE_STATUSES = [
    dg.DagsterRunStatus.QUEUED,
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
    dg.DagsterRunStatus.CANCELING,
]


@dataclass(frozen=True)
class LandingState:
    entries: int
    digest: str


@dataclass(frozen=True)
class LandingCursor:
    seen: str | None = None
    """The digest of the previous tick's state."""
    requested: str | None = None
    """The digest of the state the last requested run was started for."""

    @classmethod
    def parse(cls, cursor: str | None) -> LandingCursor:
        return cls(**json.loads(cursor)) if cursor else cls()

    def dumps(self) -> str:
        return json.dumps(asdict(self))


def _entries(folder: str) -> Iterator[tuple[bytes, int, int]]:
    """(path, size, mtime_ns) of every entry under folder, by lstat: links are neither followed nor opened."""
    try:
        with os.scandir(folder) as listing:
            for entry in listing:
                try:
                    if entry.is_dir(follow_symlinks=False):
                        yield from _entries(entry.path)
                        continue
                    stat = entry.stat(follow_symlinks=False)
                except FileNotFoundError:
                    continue  # removed while listed: the next tick sees the directory without it
                yield os.fsencode(entry.path), stat.st_size, stat.st_mtime_ns
    except OSError as error:
        # A folder that cannot be listed is part of the state: its repair is a change.
        yield os.fsencode(folder), -1, error.errno or 0


def landing_state(landing_dir: Path) -> LandingState:
    """A digest of every entry's path, size and mtime under landing_dir (no entries when it does not exist)."""
    entries = sorted(_entries(str(landing_dir))) if landing_dir.exists() else []
    digest = hashlib.sha256()
    for path, size, mtime_ns in entries:
        digest.update(path + b"\0" + f"{size}\0{mtime_ns}\n".encode())
    return LandingState(len(entries), digest.hexdigest())


def refresh_active(instance: dg.DagsterInstance) -> bool:
    records = instance.get_run_records(
        filters=dg.RunsFilter(job_name=refresh_job.name, statuses=ACTIVE_STATUSES), limit=1
    )
    return bool(records)


@dg.sensor(
    job=refresh_job,
    minimum_interval_seconds=TICK_SECONDS,
    default_status=dg.DefaultSensorStatus.STOPPED,
    description=(
        "Starts refresh_job when files in the landing directory are new, changed or gone, once their sizes and "
        "modification times held for a tick; one refresh run at a time."
    ),
)
def landing_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult:
    landing_dir = Settings.from_env().landing_dir
    cursor = LandingCursor.parse(context.cursor)
    state = landing_state(landing_dir)
    if state.digest == cursor.requested:
        return dg.SensorResult(skip_reason=f"No change in {landing_dir} since the last refresh run was requested.")
    settled = LandingCursor(seen=state.digest, requested=cursor.requested)
    if state.entries == 0 and cursor.requested is None:
        return dg.SensorResult(skip_reason=f"{landing_dir} holds no deliveries.", cursor=settled.dumps())
    if state.digest != cursor.seen:
        return dg.SensorResult(
            skip_reason=f"{landing_dir} changed since the last tick: waiting a tick for deliveries to finish.",
            cursor=settled.dumps(),
        )
    if refresh_active(context.instance):
        return dg.SensorResult(
            skip_reason="New deliveries wait: a refresh_job run is queued or in progress.", cursor=settled.dumps()
        )
    return dg.SensorResult(
        run_requests=[dg.RunRequest(tags={"landing/entries": str(state.entries)})],
        cursor=LandingCursor(seen=state.digest, requested=state.digest).dumps(),
    )

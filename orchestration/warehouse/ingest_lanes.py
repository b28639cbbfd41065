"""The iJw ingest on every core: message types in lanes, each lane a process loading into its own staging database.

The ingest is bound by Python (per file: read, parse, the rules), and one Python process uses one core. Handing parsed
records from a reading process to a loading one costs more than the reading it moves (docs/benchmarks.md: pickling),
but processes that each read and load their own message types run side by side at full speed: JW305 and JW301, 60,000
national files each, took 8.3 and 10.5 s together against 7.3 and 10.3 s one after the other.

- The message types are spread over the lanes by landed bytes, the largest first onto the lightest lane. Starts and
  stops share a lane, because a stop is judged against the starts loaded before it.
- Each lane is a spawned process with a fresh staging database beside the warehouse, which it attaches read-only as
  `prior`. The rules that look back (a content already in the ledger, TR389 and CD060, withdrawals, a stop without a
  start) see the lane's own rows and the warehouse's (orchestration/warehouse/ingest.py: known_rows); reading and
  loading are the single-process ingest's own code.
- When every lane is done, the staging databases go into the warehouse in one transaction. A failed or killed lane
  leaves the warehouse as it was, and the next run starts its lanes afresh.

Lanes do not see each other's rows, and need not: a content's message type is decided by the content (its root
namespace), so copies of a file are all claimed by the same message type, and only stops look at another type.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from concurrent.futures import as_completed
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration.ijw.pseudonym import Pseudonymiser
from orchestration.warehouse.ijw_messages import IJW_INGESTS, STARTS, STOPS, IngestOutcome, load_message_type
from orchestration.warehouse.ingest import PRIOR_CATALOG
from orchestration.warehouse.schema import RAW_TABLES, ensure_schema
from orchestration.warehouse.worker_pool import worker_pool

LANES_FROM_FILES = 20_000
"""Below this many files a lane's start (a process importing the readers, about 2 s) costs more than it saves."""

INGESTED_TABLES = (*RAW_TABLES, "audit.quarantine", "audit.ingest_ledger")
_LOAD_ORDER = [ingest.spec.message_type for ingest in IJW_INGESTS]
_TOGETHER = (STARTS.spec.message_type, STOPS.spec.message_type)


def plan_lanes(bytes_by_type: dict[str, int], lanes: int) -> list[tuple[str, ...]]:
    """Message types per lane, each lane in load order: the largest first onto the lightest lane."""
    together = tuple(message_type for message_type in _TOGETHER if message_type in bytes_by_type)
    units = [together] if together else []
    units += [(message_type,) for message_type in bytes_by_type if message_type not in _TOGETHER]
    units.sort(key=lambda unit: -sum(bytes_by_type[message_type] for message_type in unit))
    planned: list[list[str]] = [[] for _ in range(max(1, min(lanes, len(units))))]
    for unit in units:
        lightest = min(planned, key=lambda lane: sum(bytes_by_type[message_type] for message_type in lane))
        lightest.extend(unit)
    return [tuple(sorted(lane, key=_LOAD_ORDER.index)) for lane in planned if lane]


@dataclass(frozen=True)
class _Lane:
    staging_path: Path
    files: dict[str, list[str]]
    """Paths per message type, in load order."""


@dataclass(frozen=True)
class LaneSettings:
    """What every lane needs besides its files."""

    warehouse_path: Path
    pseudonym_key: bytes
    run_id: str
    xsd_dir: Path | None
    memory_limit: str


def ingest_in_lanes(
    files_by_type: dict[str, list[str]],
    bytes_by_type: dict[str, int],
    settings: LaneSettings,
    lanes: int,
    connect: Callable[[], AbstractContextManager[duckdb.DuckDBPyConnection]],
    on_lane_done: Callable[[list[IngestOutcome]], None] = lambda _outcomes: None,
) -> list[IngestOutcome]:
    """Load each message type's files in a lane, then every lane's rows into the warehouse in one transaction.

    The warehouse must not be open for writing meanwhile (DuckDB lets readers in only when no process writes);
    connect opens it for the merge. on_lane_done hears of each lane as it finishes, for the run's log.
    """
    staging_dir = settings.warehouse_path.parent / "staging"
    staging_dir.mkdir(parents=True, exist_ok=True)
    planned = [
        _Lane(
            staging_dir / f"ijw-lane-{number}.duckdb",
            {message_type: files_by_type[message_type] for message_type in message_types},
        )
        for number, message_types in enumerate(plan_lanes(bytes_by_type, lanes))
    ]
    try:
        # ProcessPoolExecutor notices a lane that was killed (multiprocessing.Pool would wait for it forever).
        with worker_pool(len(planned)) as pool:
            running = [pool.submit(_run_lane, settings, lane) for lane in planned]
            for done in as_completed(running):
                on_lane_done(done.result())
            outcomes = [outcome for lane in running for outcome in lane.result()]
        with connect() as con:
            merge_staging(con, [lane.staging_path for lane in planned])
    finally:
        for lane in planned:
            _remove_database(lane.staging_path)
        if not any(staging_dir.iterdir()):
            staging_dir.rmdir()
    return [dataclasses.replace(outcome, lanes=len(planned)) for outcome in outcomes]


def _run_lane(settings: LaneSettings, lane: _Lane) -> list[IngestOutcome]:
    _remove_database(lane.staging_path)
    con = duckdb.connect(str(lane.staging_path), config={"memory_limit": settings.memory_limit})
    try:
        ensure_schema(con)
        con.execute(f"attach {_quoted(settings.warehouse_path)} as {PRIOR_CATALOG} (read_only)")
        pseudonymiser = Pseudonymiser(settings.pseudonym_key)
        outcomes = [
            load_message_type(con, message_type, paths, pseudonymiser, settings.run_id, settings.xsd_dir)
            for message_type, paths in lane.files.items()
        ]
        con.execute(f"detach {PRIOR_CATALOG}")
        return outcomes
    finally:
        con.close()


def merge_staging(con: duckdb.DuckDBPyConnection, staging_paths: list[Path]) -> None:
    """Every staging database's rows into the warehouse's tables, all in one transaction."""
    aliases = [f"ijw_lane_{number}" for number in range(len(staging_paths))]
    for alias, path in zip(aliases, staging_paths, strict=True):
        con.execute(f"attach {_quoted(path)} as {alias} (read_only)")
    try:
        con.execute("begin transaction")
        try:
            for alias in aliases:
                for table in INGESTED_TABLES:
                    con.execute(f"insert into {table} by name select * from {alias}.{table}")  # noqa: S608 - ours
            con.execute("commit")
        except Exception:
            con.execute("rollback")
            raise
    finally:
        for alias in aliases:
            con.execute(f"detach {alias}")


def _quoted(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _remove_database(path: Path) -> None:
    path.unlink(missing_ok=True)
    path.with_name(path.name + ".wal").unlink(missing_ok=True)

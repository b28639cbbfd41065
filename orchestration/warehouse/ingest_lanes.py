"""The iJw loads on every core: message types in lanes, each lane a process loading into its own staging database.

The read pass (read_pass.py) has read every file once into a stage; a lane decides its files' staged texts by the
record rules, judges them against earlier files and loads them. The loads are bound by Python, one process a core.

- The lanes run in phases: a message type judged against another (ijw_messages.JUDGED_AGAINST: a start against the
  allocations, a stop against the starts) loads in the phase after it, once all of it is loaded; the others (the
  allocations, the referrals, the declarations) load in the first phase.
- Within a phase, parts go to lanes by estimated load time (_weight), the heaviest first onto the lightest lane;
  a lane's parts of one message type are loaded as one part, in path order.
- A message type whose own rules look back only at the same sender's files (splits_by_sender: the declarations'
  TR389 and CD060, the starts' and stops' withdrawals and stop without start) comes as a part per sender (the sender
  from the landing inventory), so copies of a file land in the same part, where the ledger finds them. The
  allocations are one part: TR332 and the starts' TR019 look at every sender's.
- Each lane is a spawned process with a fresh staging database that attaches the warehouse read-only as `prior` and
  the staging databases of the earlier phases as `prior_1`, `prior_2`, ..., so the rules that look back see the
  lane's rows, the warehouse's and the earlier phases' (load.known_rows); loading is the single-process ingest's own
  code (_load_parts).
- When every phase is done, the staging databases go into the warehouse in one transaction, which also marks the
  files they read in the landing inventory. A failed or killed lane leaves the warehouse and the inventory as they
  were.
- A plan with no phase of two lanes (a small landing, one process) loads in this process, straight into the
  warehouse, in load order.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Executor, wait
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration.ijw.pseudonym import Pseudonymiser
from orchestration.warehouse import landing_inventory
from orchestration.warehouse.ijw_messages import BY_MESSAGE_TYPE, IJW_INGESTS, JUDGED_AGAINST, IjwIngest
from orchestration.warehouse.landing_inventory import path_order
from orchestration.warehouse.load import ledger_metadata, mark_read, prior_catalog, transaction
from orchestration.warehouse.progress import PROGRESS_SECONDS, read_count, write_count
from orchestration.warehouse.schema import RAW_TABLES, ensure_schema
from orchestration.warehouse.worker_pool import worker_pool

FILE_WEIGHT_BYTES = 400
"""A file's fixed cost (open, hash, parse, header, ledger row) in bytes of reading, fitted on a national year's lanes
(docs/benchmarks.md): weighed too heavily, the small-file allocations and referrals leave the declarations' bytes to
one lane."""

LANES_FROM_FILES = 20_000
"""Below this many files a lane's start (a process importing the readers, about 2 s) costs more than it saves."""

INGESTED_TABLES = (*RAW_TABLES, "audit.quarantine", "audit.ingest_ledger")
_LOAD_ORDER = [ingest.spec.message_type for ingest in IJW_INGESTS]


@dataclass(frozen=True)
class LanePart:
    """Files of one message type that a lane loads together, in path order."""

    message_type: str
    paths: list[str]
    landed_bytes: int


Phase = list[list[LanePart]]
"""Lanes that load side by side, each its parts in load order."""


def lane_parts(
    con: duckdb.DuckDBPyConnection, ingests: list[IjwIngest], landing_dir: Path, lanes: int
) -> list[LanePart]:
    """Each message type's files the ingest has yet to read, in path order, as one part or, where its rules allow and
    there are lanes, a part per sender."""
    parts: list[LanePart] = []
    for ingest in ingests:
        message_type = ingest.spec.message_type
        senders = [
            LanePart(message_type, *files)
            for files in landing_inventory.files_by_sender(con, landing_dir, ingest.claimed_types)
        ]
        if not (lanes > 1 and ingest.splits_by_sender):
            senders = _combined(senders)
        parts += senders or [LanePart(message_type, [], 0)]
    return parts


def plan_lanes(parts: list[LanePart], lanes: int) -> list[Phase]:
    """The parts in phases, a message type in the phase after the one it is judged against; each phase's parts in up
    to `lanes` lanes of about equal load weight, a lane's parts of one message type as one. When no phase would have
    two lanes: one lane, in load order."""
    plan = [
        [_combined(lane) for lane in _spread([part for part in parts if _phase(part.message_type) == phase], lanes)]
        for phase in sorted({_phase(part.message_type) for part in parts})
    ]
    if all(len(phase) <= 1 for phase in plan):
        return [[_combined(parts)]] if parts else []
    return plan


def _phase(message_type: str) -> int:
    """0, or one after the phase of the message type it is judged against, which must be loaded whole before it."""
    judged_against = JUDGED_AGAINST.get(message_type)
    return 0 if judged_against is None else 1 + _phase(judged_against.spec.message_type)


def _combined(parts: list[LanePart]) -> list[LanePart]:
    """The parts as one part per message type, in load order, each in path order."""
    by_type: dict[str, list[LanePart]] = {}
    for part in sorted(parts, key=lambda part: _LOAD_ORDER.index(part.message_type)):
        by_type.setdefault(part.message_type, []).append(part)
    return [
        LanePart(
            message_type,
            sorted((path for part in grouped for path in part.paths), key=path_order),
            sum(part.landed_bytes for part in grouped),
        )
        for message_type, grouped in by_type.items()
    ]


def _spread(parts: list[LanePart], bins: int) -> list[list[LanePart]]:
    """The parts in up to `bins` bins of about equal load weight: the heaviest first onto the lightest bin."""
    spread: list[list[LanePart]] = [[] for _ in range(max(1, bins))]
    weights = [0] * len(spread)
    for part in sorted(parts, key=lambda part: -_weight(part)):
        lightest = weights.index(min(weights))
        spread[lightest].append(part)
        weights[lightest] += _weight(part)
    return [lane for lane in spread if lane]


def _weight(part: LanePart) -> int:
    """A part's estimated load time, in bytes of reading."""
    return part.landed_bytes + FILE_WEIGHT_BYTES * len(part.paths)


@dataclass(frozen=True)
class _Lane:
    staging_path: Path
    parts: list[LanePart]
    duckdb_threads: int  # its share of the cores: DuckDB threads on the other lanes' cores only contend with them
    earlier_phases: list[Path]  # the staging databases of the lanes of earlier phases

    @property
    def progress_path(self) -> Path:  # its count of files loaded, for the run's progress line
        return self.staging_path.with_name(self.staging_path.name + ".files")


@dataclass(frozen=True)
class LaneSettings:
    """What every lane needs besides its files."""

    warehouse_path: Path
    pseudonym_key: bytes
    run_id: str
    memory_limit: str
    landing_dir: Path  # files are opened by its landing rule (orchestration/warehouse/landing_files.py)
    stage_dir: Path  # where the read pass left the files' texts (orchestration/warehouse/read_pass.py)


@dataclass(frozen=True)
class IngestOutcome:
    """What loading one message type reports: ledger_metadata with the processes the ingest ran in (this message
    type's and the others'), and a message per rejected file."""

    message_type: str
    metadata: dict[str, int | float]
    rejected_files: list[str]


def combine_outcomes(outcomes: list[IngestOutcome], lanes: int) -> list[IngestOutcome]:
    """One outcome per message type from those of its parts, in the order first met: the counts add up, and the
    duration is the longest part's (parts in different lanes load side by side)."""
    by_type: dict[str, list[IngestOutcome]] = {}
    for outcome in outcomes:
        by_type.setdefault(outcome.message_type, []).append(outcome)
    return [
        IngestOutcome(
            message_type,
            {
                **{
                    name: (max if name == "duration_seconds" else sum)(part.metadata[name] for part in parts)
                    for name in parts[0].metadata
                },
                "ingest_processes": lanes,
            },
            [message for part in parts for message in part.rejected_files],
        )
        for message_type, parts in by_type.items()
    ]


def ingest_in_lanes(
    parts: list[LanePart],
    settings: LaneSettings,
    lanes: int,
    connect: Callable[[], AbstractContextManager[duckdb.DuckDBPyConnection]],
    on_lane_done: Callable[[list[IngestOutcome]], None] = lambda _outcomes: None,
    on_progress: Callable[[int], None] = lambda _files: None,
) -> list[IngestOutcome]:
    """Load the parts in lanes, phase after phase, then every lane's rows into the warehouse (opened by connect) in one
    transaction; one outcome per message type. The warehouse must not be open for writing meanwhile (DuckDB lets
    readers in only when no process writes). on_lane_done hears of each lane process as it finishes, on_progress now
    and then how many files the lanes have loaded so far."""
    plan = plan_lanes(parts, lanes)
    if sum(map(len, plan)) <= 1:
        with connect() as con:
            return combine_outcomes(_load_parts(con, plan[0][0] if plan else [], settings, on_progress), 1)
    staging_dir = settings.warehouse_path.parent / "staging"
    staging_dir.mkdir(parents=True, exist_ok=True)
    phases: list[list[_Lane]] = []
    for number, phase in enumerate(plan):
        earlier = [lane.staging_path for lanes_before in phases for lane in lanes_before]
        threads = max(1, (os.cpu_count() or 1) // len(phase))
        phases.append(
            [
                _Lane(staging_dir / f"ijw-phase-{number}-lane-{lane}.duckdb", loads, threads, earlier)
                for lane, loads in enumerate(phase)
            ]
        )
    planned = [lane for phase in phases for lane in phase]
    try:
        # ProcessPoolExecutor notices a lane that was killed (multiprocessing.Pool would wait for it forever).
        outcomes: list[IngestOutcome] = []
        with worker_pool(max(map(len, phases))) as pool:
            for phase in phases:
                outcomes += _run_phase(pool, settings, phase, on_lane_done, lambda: _progress(planned, on_progress))
        with connect() as con:
            merge_staging(con, [lane.staging_path for lane in planned])
    finally:
        for lane in planned:
            _remove_database(lane.staging_path)
            lane.progress_path.unlink(missing_ok=True)
        if not any(staging_dir.iterdir()):
            staging_dir.rmdir()
    return combine_outcomes(outcomes, max(map(len, phases)))


def _run_phase(
    pool: Executor,
    settings: LaneSettings,
    phase: list[_Lane],
    on_lane_done: Callable[[list[IngestOutcome]], None],
    report_progress: Callable[[], None],
) -> list[IngestOutcome]:
    """The phase's lanes side by side in the pool; their outcomes once all are done."""
    running = [pool.submit(_run_lane, settings, lane) for lane in phase]
    pending = set(running)
    while pending:
        done, pending = wait(pending, timeout=PROGRESS_SECONDS, return_when=FIRST_COMPLETED)
        for lane in done:
            on_lane_done(lane.result())
        report_progress()
    return [outcome for lane in running for outcome in lane.result()]


def _progress(planned: list[_Lane], on_progress: Callable[[int], None]) -> None:
    on_progress(sum(read_count(lane.progress_path) for lane in planned))


def _run_lane(settings: LaneSettings, lane: _Lane) -> list[IngestOutcome]:
    _remove_database(lane.staging_path)
    con = duckdb.connect(
        str(lane.staging_path), config={"memory_limit": settings.memory_limit, "threads": lane.duckdb_threads}
    )
    priors = [prior_catalog(number) for number in range(1 + len(lane.earlier_phases))]
    try:
        ensure_schema(con)
        for prior, path in zip(priors, [settings.warehouse_path, *lane.earlier_phases], strict=True):
            con.execute(f"attach {_quoted(path)} as {prior} (read_only)")
        outcomes = _load_parts(con, lane.parts, settings, lambda done: write_count(lane.progress_path, done))
        for prior in priors:
            con.execute(f"detach {prior}")
        return outcomes
    finally:
        con.close()


def _load_parts(
    con: duckdb.DuckDBPyConnection, parts: list[LanePart], settings: LaneSettings, on_progress: Callable[[int], None]
) -> list[IngestOutcome]:
    """The parts loaded one after another in this process (a lane, or a small landing's whole ingest); on_progress
    hears how many files are loaded after each committed batch."""
    pseudonymiser = Pseudonymiser(settings.pseudonym_key)
    outcomes, loaded = [], 0

    def count(files: int) -> None:
        nonlocal loaded
        loaded += files
        on_progress(loaded)

    for part in parts:
        started, rejected = time.monotonic(), []
        entries = BY_MESSAGE_TYPE[part.message_type].ingest_files(
            con,
            part.paths,
            pseudonymiser,
            settings.run_id,
            on_rejected_file=lambda parsed, rejected=rejected: rejected.append(
                f"{parsed.path}: file rejected ({parsed.file_rejection.reason}); see audit.quarantine"
            ),
            landing_dir=settings.landing_dir,
            stage_dir=settings.stage_dir,
            on_batch=count,
        )
        outcomes.append(
            IngestOutcome(part.message_type, ledger_metadata(entries, time.monotonic() - started), rejected)
        )
    return outcomes


def merge_staging(con: duckdb.DuckDBPyConnection, staging_paths: list[Path]) -> None:
    """Every staging database's rows into the warehouse's tables, and the files they read marked in the landing
    inventory, all in one transaction."""
    aliases = [f"ijw_lane_{number}" for number in range(len(staging_paths))]
    for alias, path in zip(aliases, staging_paths, strict=True):
        con.execute(f"attach {_quoted(path)} as {alias} (read_only)")
    try:
        with transaction(con):
            for alias in aliases:
                for table in INGESTED_TABLES:
                    con.execute(f"insert into {table} by name select * from {alias}.{table}")  # noqa: S608 - ours
                mark_read(con, f"{alias}.audit.ingest_ledger")
    finally:
        for alias in aliases:
            con.execute(f"detach {alias}")


def _quoted(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _remove_database(path: Path) -> None:
    path.unlink(missing_ok=True)
    path.with_name(path.name + ".wal").unlink(missing_ok=True)

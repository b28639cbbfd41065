"""Ingest and end-to-end benchmark on a generated national year (not part of `make test`).

1. floor: lxml iterparse over the JW323 files with the ingest's hardening flags, doing nothing but counting lines;
2. ingest: the product's JW323 path as the ijw_messages asset runs it on a large landing (the files split by sender
   into a part per lane, WAREHOUSE_INGEST_PROCESSES lanes, each reading with the batch path: plain files' lines
   decided per batch in SQL, TR389/CD060 against the warehouse; then every lane's rows merged into the warehouse in one
   transaction) into a fresh DuckDB file, same files, reported as lines per second and as a share of the floor; the
   same path in one process beside it (per core); floor and ingests alternate for --rounds rounds, best of each. The
   timed ingest includes the read pass (warehouse/read_pass.py), which reads each file once and gives its sender;
3. all files: the floor of every landed iJw file of every message type (read, lxml-parsed whole with the ingest's
   hardening, its records counted), on as many processes as the ingest's lanes, started before timing; beside it the
   product's ingest of all five types as the ijw_messages asset runs it (in phases of lanes, as
   warehouse/ingest_lanes.py plans them), reported as records per second and as a share of that floor, in the same
   rounds;
4. end to end (optional, --end-to-end): `dg launch --job refresh_job` (every asset but the
   partitioned quarterly close, as `make run`) over the whole world in a subprocess, wall time, the largest process's
   peak RSS and the peaks of the process tree's summed RSS and PSS.

Usage: uv run python bench/ingest_bench.py [--scale 0.01] [--municipalities national|default|GM...] [--end-to-end]
       [--keep DIR | --landing DIR] [--rounds 3]

--landing measures a world generated before (python -m orchestration.generator --out DIR ...) instead of generating
one; the generator writes the world's own CBS snapshots, so a national world runs end to end too.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
from lxml import etree

from orchestration.generator import calibration as cal
from orchestration.generator.world import Options, generate
from orchestration.ijw import jw323
from orchestration.ijw.pseudonym import Pseudonymiser
from orchestration.ijw.safe_xml import MessageHead, parse_document
from orchestration.settings import REPO_ROOT, Settings
from orchestration.warehouse.ijw_messages import DECLARATIONS, IJW_INGESTS, reading_spec
from orchestration.warehouse.ingest_lanes import LanePart, LaneSettings, ingest_in_lanes
from orchestration.warehouse.landing_files import path_order
from orchestration.warehouse.read_pass import ReadSettings, read_into_stage
from orchestration.warehouse.schema import ensure_schema
from orchestration.warehouse.worker_pool import worker_pool

PRESTATIE = jw323.SPEC.m("Prestatie")
RECORD_TAGS = tuple(ingest.spec.m(ingest.spec.record_tag) for ingest in IJW_INGESTS)


PSEUDONYMISER_KEY = b"benchmark-key-0123456789"


def _read(paths: list[str], landing: Path, stage: Path, processes: int) -> list[MessageHead]:
    """The read pass, as the ijw_messages asset runs it before the loads: each file read once into the stage."""
    shutil.rmtree(stage, ignore_errors=True)
    settings = ReadSettings(landing, stage, Pseudonymiser(PSEUDONYMISER_KEY), reading_spec)
    return read_into_stage([(path, os.path.getsize(path)) for path in paths], settings, processes)


def _files_by_sender(paths: list[str], heads: list[MessageHead]) -> list[LanePart]:
    """The JW323 files, a part per sender the read pass gives."""
    by_sender: dict[str | None, list[str]] = {}
    for path, head in zip(paths, heads, strict=True):
        by_sender.setdefault(head.sender, []).append(path)
    return [LanePart("JW323", grouped, _size(grouped)) for grouped in by_sender.values()]


def floor(files: list[Path]) -> tuple[float, int]:
    started, lines = time.perf_counter(), 0
    for path in files:
        try:
            for _event, element in etree.iterparse(
                str(path), events=("end",), tag=PRESTATIE, resolve_entities=False, no_network=True, load_dtd=False
            ):
                lines += 1
                element.clear()
        except etree.XMLSyntaxError:
            continue
    return time.perf_counter() - started, lines


def _parse_and_count(paths: list[str]) -> int:
    """Records in these files, each read and parsed whole by the ingest's hardened parser (0 for a broken file)."""
    records = 0
    for path in paths:
        try:
            records += sum(1 for _record in parse_document(Path(path).read_bytes()).iter(*RECORD_TAGS))
        except Exception:  # noqa: BLE001, S112 - a floor counts what parses
            continue
    return records


def all_files_floor(pool, chunks: list[list[str]]) -> tuple[float, int]:
    """Every file read and parsed, the chunks side by side in a pool started before timing."""
    started = time.perf_counter()
    records = sum(pool.map(_parse_and_count, chunks))
    return time.perf_counter() - started, records


def _all_types_parts(paths: list[str], heads: list[MessageHead]) -> list[LanePart]:
    """The parts the ijw_messages asset loads in lanes: a part per sender of the message types that split by sender,
    every other message type one part, each in path order."""
    by_type: dict[str | None, list[tuple[str, str | None]]] = {}
    for path, head in zip(paths, heads, strict=True):
        by_type.setdefault(head.message_type, []).append((path, head.sender))
    parts: list[LanePart] = []
    for ingest in IJW_INGESTS:
        claimed = [landed for kind in ingest.claimed_types for landed in by_type.get(kind, [])]
        if ingest.splits_by_sender:
            senders: dict[str | None, list[str]] = {}
            for path, sender in claimed:
                senders.setdefault(sender, []).append(path)
            parts += [LanePart(ingest.spec.message_type, group, _size(group)) for group in senders.values()]
        else:
            ordered = sorted((path for path, _sender in claimed), key=path_order)
            parts.append(LanePart(ingest.spec.message_type, ordered, _size(ordered)))
    return parts


def _size(paths: list[str]) -> int:
    return sum(os.path.getsize(path) for path in paths)


def one_process_ingest(files: list[Path], landing: Path, database: Path) -> tuple[float, int]:
    pseudonymiser = Pseudonymiser(PSEUDONYMISER_KEY)
    database.unlink(missing_ok=True)
    started, lines = time.perf_counter(), 0
    with duckdb.connect(str(database)) as con:
        ensure_schema(con)
        entries = DECLARATIONS.ingest_files(con, files, pseudonymiser, "bench", landing_dir=landing)
        lines = sum(entry.records_read for entry in entries)
    return time.perf_counter() - started, lines


def product_ingest(
    paths: list[str],
    parts_of: Callable[[list[str], list[MessageHead]], list[LanePart]],
    landing: Path,
    database: Path,
    processes: int,
    memory_limit: str,
) -> tuple[float, int]:
    """The read pass over paths, then their parts (parts_of) loaded in lanes, timed together."""
    database.unlink(missing_ok=True)
    with duckdb.connect(str(database)) as con:
        ensure_schema(con)
    stage = database.with_suffix(".stage")
    lanes = LaneSettings(database, PSEUDONYMISER_KEY, "bench", memory_limit, landing, stage)
    started = time.perf_counter()
    parts = parts_of(paths, _read(paths, landing, stage, processes))
    outcomes = ingest_in_lanes(parts, lanes, processes, lambda: duckdb.connect(str(database)))
    seconds = time.perf_counter() - started
    shutil.rmtree(stage, ignore_errors=True)
    with duckdb.connect(str(database), read_only=True) as con:
        (lines,) = con.execute("select sum(records_read) from audit.ingest_ledger").fetchone()
    assert {outcome.message_type for outcome in outcomes} <= {ingest.spec.message_type for ingest in IJW_INGESTS}
    return seconds, int(lines)


def end_to_end(landing: Path, warehouse: Path) -> tuple[float, float, float, float]:
    """Wall seconds, the largest single process's peak RSS, and the peaks of the whole process tree's summed RSS and
    summed PSS (MiB).

    The tree's memory is what the machine must hold: dbt runs as a child of the Dagster process, which keeps its own
    memory meanwhile. Summed RSS counts a page shared by several processes once in each (a check's worker forked from
    its host shares the imports it forked with); PSS divides such a page among its sharers, so its sum is what
    the tree holds. Both are sampled every half second from /proc, so a shorter spike can escape them.
    """
    env = {
        **os.environ,
        "WAREHOUSE_LANDING_DIR": str(landing),
        "WAREHOUSE_DIR": str(warehouse),
        "DAGSTER_HOME": str(warehouse / "dagster_home"),
        "WAREHOUSE_PSEUDONYM_KEY": "benchmark-key-0123456789",
    }
    (warehouse / "dagster_home").mkdir(parents=True, exist_ok=True)
    # The instance `make run` has (the writer pool, no telemetry), as the Makefile gives it.
    shutil.copy(REPO_ROOT / "dagster.yaml", warehouse / "dagster_home" / "dagster.yaml")
    started = time.perf_counter()
    dg = shutil.which("dg", path=str(Path(sys.executable).parent)) or "dg"
    with tempfile.TemporaryFile("w+") as stderr:
        pipeline = subprocess.Popen(  # noqa: S603
            [dg, "launch", "--job", "refresh_job"],
            cwd=REPO_ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            text=True,
        )
        peak_rss_kib = peak_pss_kib = 0
        while pipeline.poll() is None:
            rss_kib, pss_kib = _tree_memory_kib(pipeline.pid)
            peak_rss_kib, peak_pss_kib = max(peak_rss_kib, rss_kib), max(peak_pss_kib, pss_kib)
            time.sleep(0.5)
        if pipeline.returncode != 0:
            stderr.seek(0)
            raise SystemExit(f"the pipeline failed:\n{stderr.read()[-4000:]}")
    seconds = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return seconds, peak_kib / 1024, peak_rss_kib / 1024, peak_pss_kib / 1024


def _tree_memory_kib(pid: int) -> tuple[int, int]:
    """Summed RSS and PSS of pid and all its descendants, from /proc (0 for processes gone meanwhile). Children are
    listed per thread that started them (the ingest's lane processes are started from a pool's thread)."""
    rss, pss, pending = 0, 0, [pid]
    while pending:
        current = pending.pop()
        try:
            rollup = Path(f"/proc/{current}/smaps_rollup").read_text()
            children = [
                child
                for task in Path(f"/proc/{current}/task").iterdir()
                for child in (task / "children").read_text().split()
            ]
        except OSError:
            continue
        rss += _kib(rollup, "Rss:")
        pss += _kib(rollup, "Pss:")
        pending += [int(child) for child in children]
    return rss, pss


def _kib(rollup: str, field: str) -> int:
    return next((int(line.split()[1]) for line in rollup.splitlines() if line.startswith(field)), 0)


def generate_year(out: Path, municipalities: str, scale: float, seed: int = 1) -> dict:
    """A generated year, 2024-Q1..2024-Q4 at fault rate 0.01, of 'national', 'default' or a comma list of GM codes;
    its ground truth."""
    codes = {
        "national": cal.national_municipality_codes,
        "default": cal.default_municipality_codes,
    }.get(municipalities, lambda: municipalities.split(","))()
    options = Options(
        out=out,
        seed=seed,
        municipalities=tuple(codes),
        first_quarter="2024-Q1",
        last_quarter="2024-Q4",
        scale=scale,
        fault_rate=0.01,
    )
    return generate(options)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.01)
    parser.add_argument("--municipalities", default="national")
    parser.add_argument("--end-to-end", action="store_true")
    parser.add_argument("--keep", type=Path)
    parser.add_argument("--landing", type=Path, help="an already generated world to measure")
    parser.add_argument("--end-to-end-only", action="store_true", help="skip the floor and ingest measurements")
    parser.add_argument("--rounds", type=int, default=3, help="floor and ingest measured alternately, best of each")
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="ingest-bench-"))
    root.mkdir(parents=True, exist_ok=True)
    if args.landing:
        landing = args.landing
        truth = json.loads((landing / "ground_truth.json").read_text())
    else:
        landing = root / "landing"
        truth = generate_year(landing, args.municipalities, args.scale)
    if args.end_to_end_only:
        seconds, peak_mib, tree_mib, tree_pss_mib = end_to_end(landing, root / "warehouse")
        print(
            json.dumps(
                {
                    "landing": str(landing),
                    "end_to_end_seconds": round(seconds, 1),
                    "end_to_end_peak_rss_mib": round(peak_mib),
                    "end_to_end_peak_tree_rss_mib": round(tree_mib),
                    "end_to_end_peak_tree_pss_mib": round(tree_pss_mib),
                },
                indent=2,
            )
        )
        return
    files = sorted((landing / "ijw").rglob("JW323_*.xml"))
    # Both measurements read from the page cache: whichever ran first would otherwise pay the disk for both.
    for path in files:
        path.read_bytes()
    settings = Settings.from_env()
    paths = [str(path) for path in files]
    all_paths = sorted((str(path) for path in (landing / "ijw").rglob("*.xml")), key=path_order)
    for path in all_paths:
        Path(path).read_bytes()
    chunk = -(-len(all_paths) // settings.ingest_processes)
    chunks = [all_paths[start : start + chunk] for start in range(0, len(all_paths), chunk)]
    # The benchmark VM's speed drifts by half within minutes, so floor and ingests alternate and each keeps its best.
    floor_runs, lanes_runs, one_process_runs, all_floor_runs, all_runs = [], [], [], [], []
    with worker_pool(settings.ingest_processes) as pool:
        for _round in range(args.rounds):
            floor_runs.append(floor(files))
            lanes_runs.append(
                product_ingest(
                    paths,
                    _files_by_sender,
                    landing,
                    root / "lanes.duckdb",
                    settings.ingest_processes,
                    settings.duckdb_memory_limit,
                )
            )
            one_process_runs.append(one_process_ingest(files, landing, root / "ingest.duckdb"))
            all_floor_runs.append(all_files_floor(pool, chunks))
            all_runs.append(
                product_ingest(
                    all_paths,
                    _all_types_parts,
                    landing,
                    root / "all.duckdb",
                    settings.ingest_processes,
                    settings.duckdb_memory_limit,
                )
            )
    floor_seconds, floor_lines = min(floor_runs)
    ingest_seconds, ingest_lines = min(lanes_runs)
    one_seconds, one_lines = min(one_process_runs)
    all_floor_seconds, all_floor_records = min(all_floor_runs)
    all_seconds, all_records = min(all_runs)
    result = {
        "landing": str(landing),
        "municipalities": len({path.name.split("_")[2] for path in files}),
        "jw323_files": len(files),
        "jw323_lines": truth["totals"]["jw323_lines_written"],
        "all_files": sum(truth["totals"]["files"].values()),
        "floor_lines_per_second": round(floor_lines / floor_seconds),
        "ingest_lines_per_second": round(ingest_lines / ingest_seconds),
        "ingest_share_of_floor": round((ingest_lines / ingest_seconds) / (floor_lines / floor_seconds), 3),
        "ingest_processes": settings.ingest_processes,
        "one_process_lines_per_second": round(one_lines / one_seconds),
        "one_process_share_of_floor": round((one_lines / one_seconds) / (floor_lines / floor_seconds), 3),
        "all_files_floor_seconds": round(all_floor_seconds, 2),
        "all_files_floor_records_per_second": round(all_floor_records / all_floor_seconds),
        "all_types_ingest_seconds": round(all_seconds, 2),
        "all_types_ingest_records_per_second": round(all_records / all_seconds),
        "all_types_ingest_share_of_all_files_floor": round(
            (all_records / all_seconds) / (all_floor_records / all_floor_seconds), 3
        ),
        "rounds": args.rounds,
    }
    if args.end_to_end:
        # The ingest figures first: an end-to-end run of a large world takes long and may be stopped.
        print(json.dumps(result), flush=True)
        seconds, peak_mib, tree_mib, tree_pss_mib = end_to_end(landing, root / "warehouse")
        result |= {
            "end_to_end_seconds": round(seconds, 1),
            "end_to_end_peak_rss_mib": round(peak_mib),
            "end_to_end_peak_tree_rss_mib": round(tree_mib),
            "end_to_end_peak_tree_pss_mib": round(tree_pss_mib),
        }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

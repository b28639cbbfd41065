"""Incremental cost of a refresh (issue 22 item 3): the first run over three quarters of deliveries, an immediate
re-run with nothing new, and a run after the next quarter's deliveries land (not part of `make test`).

A generated year (2024-Q1..Q4) is split by the month folder a file was delivered in (ijw/YYYY/MM): what was delivered
before 2024-10 lands first, with the CBS and budget files; the rest (Q4's deliveries, and January's declarations of
December) lands before the third run. Each run is `dg launch --job refresh_job` on the same warehouse, as `make run`
(bench/ingest_bench.py: end_to_end). Printed: each run's wall time, its share of the first, the time inside the run,
the ingest steps', the dbt steps' and the check steps' times (from the run's event log: the rest of the wall time is
`dg launch` starting and loading the definitions), the process tree's peak memory and the machine's load average (other
work slows every figure).

Usage: uv run python bench/incremental_bench.py [--scale 1.0] [--municipalities default] [--world DIR] [--keep DIR]

--world reuses a year generated before (python -m orchestration.generator --out DIR --from 2024-Q1 --to 2024-Q4 ...).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
from pathlib import Path

import dagster as dg
from check_step_times import is_check_step, step_seconds
from ingest_bench import end_to_end, generate_year

FIRST_LATER_MONTH = ("2024", "10")
"""Deliveries from this month folder on land before the third run."""


def later_delivery(relative: Path) -> bool:
    """Whether a landed file (relative to the world) belongs to the next quarter's deliveries."""
    parts = relative.parts
    return len(parts) > 3 and parts[0] == "ijw" and (parts[1], parts[2]) >= FIRST_LATER_MONTH


def land(world: Path, landing: Path, later: bool) -> int:
    """Copy the world's files of the first deliveries (later=False) or the next quarter's into landing; how many."""
    copied = 0
    for path in sorted(world.rglob("*")):
        relative = path.relative_to(world)
        if not path.is_file() or later_delivery(relative) != later:
            continue
        target = landing / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
        copied += 1
    return copied


DBT_STEPS = ("star_schema", "kpi_marts")
INGEST_STEPS = ("ijw_messages", "cbs_and_budgets")
"""The ingest's steps (orchestration/defs/ingest/): the iJw inventory and messages, the CBS tables and budgets."""


def timed_run(landing: Path, warehouse: Path) -> dict[str, float]:
    seconds, _peak_mib, tree_mib, tree_pss_mib = end_to_end(landing, warehouse)
    return {
        "seconds": round(seconds, 1),
        **latest_run_times(warehouse / "dagster_home"),
        "peak_tree_rss_mib": round(tree_mib),
        "peak_tree_pss_mib": round(tree_pss_mib),
        "load_1min_after": os.getloadavg()[0],
    }


def latest_run_times(dagster_home: Path) -> dict[str, float | None]:
    """The latest run's seconds from its start to its end, its ingest steps' together, each dbt step's (None:
    skipped) and the check steps'."""
    with dg.DagsterInstance.from_config(str(dagster_home)) as instance:
        (record,) = instance.get_run_records(limit=1)
        run_id = record.dagster_run.run_id
        bounds = [
            log.timestamp
            for log in instance.all_logs(
                run_id, of_type={dg.DagsterEventType.RUN_START, dg.DagsterEventType.RUN_SUCCESS}
            )
        ]
        steps = step_seconds(instance, run_id)
    return {
        "in_run_seconds": round(max(bounds) - min(bounds), 1),
        "ingest_seconds": round(sum(steps.get(step, 0) for step in INGEST_STEPS), 1),
        **{f"{step}_seconds": round(steps[step], 1) if step in steps else None for step in DBT_STEPS},
        "check_steps_seconds": round(sum(seconds for step, seconds in steps.items() if is_check_step(step)), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--municipalities", default="default")
    parser.add_argument("--world", type=Path, help="a generated year to split instead of generating one")
    parser.add_argument("--keep", type=Path, help="keep the world, landing and warehouse here")
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="incremental-bench-"))
    root.mkdir(parents=True, exist_ok=True)
    world = args.world or root / "world"
    if not args.world:
        generate_year(world, args.municipalities, args.scale, seed=2024)
    landing, warehouse = root / "landing", root / "warehouse"
    result: dict[str, object] = {"world": str(world), "cpus": os.cpu_count(), "load_1min_before": os.getloadavg()[0]}
    result["files_first"] = land(world, landing, later=False)
    result["first_run"] = timed_run(landing, warehouse)
    print(json.dumps(result), flush=True)
    result["rerun_nothing_new"] = timed_run(landing, warehouse)
    print(json.dumps(result), flush=True)
    result["files_next_quarter"] = land(world, landing, later=True)
    result["next_quarter_run"] = timed_run(landing, warehouse)
    first = result["first_run"]["seconds"]
    result["rerun_share_of_first"] = round(result["rerun_nothing_new"]["seconds"] / first, 3)
    result["next_quarter_share_of_first"] = round(result["next_quarter_run"]["seconds"] / first, 3)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

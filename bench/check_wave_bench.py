"""The two waves of checks on the marts, alone, on a copy of a built warehouse, every suite validating in full (issue
22; not part of `make test`; orchestration/defs/quality/wave.py).

The stored check results and row hashes are deleted from the copy first, so each Great Expectations suite validates
its whole table as in a first run; the dbt steps do not run. Printed per round: each wave's wall seconds, how many
checks reported and passed, and the load average. Run it in two checkouts in turn to compare them.

Usage: uv run python bench/check_wave_bench.py WAREHOUSE_DIR LANDING_DIR [--rounds 2]

WAREHOUSE_DIR and LANDING_DIR are what a bench kept (bench/incremental_bench.py --keep DIR: DIR/warehouse and
DIR/landing); the warehouse is copied, not changed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
from pathlib import Path

import dagster as dg
import duckdb
from check_step_times import step_seconds

WAVES = ["checks_after_star_schema", "checks_after_kpi_marts"]


def run_waves(job: dg.JobDefinition, source: Path, warehouse: Path) -> dict:
    shutil.rmtree(warehouse, ignore_errors=True)
    shutil.copytree(source, warehouse, ignore=shutil.ignore_patterns("dagster_home", "data_docs"))
    with duckdb.connect(str(warehouse / "warehouse.duckdb")) as con:
        con.execute("delete from build_state.check_results")
        con.execute("delete from build_state.check_row_hashes")
    with dg.instance_for_test() as instance:
        result = job.execute_in_process(instance=instance, op_selection=WAVES, raise_on_error=False)
        seconds = step_seconds(instance, result.run_id)
    evaluations = result.get_asset_check_evaluations()
    return {
        **{wave: round(seconds[wave], 1) for wave in WAVES},
        "checks": len(evaluations),
        "passed": sum(evaluation.passed for evaluation in evaluations),
        "load": round(os.getloadavg()[0], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("warehouse", type=Path)
    parser.add_argument("landing", type=Path)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="check_wave_bench_") as temp:
        warehouse = Path(temp) / "warehouse"
        # Before the definitions load: the resources read the settings from the environment.
        os.environ.update(
            WAREHOUSE_DIR=str(warehouse),
            WAREHOUSE_DUCKDB_PATH=str(warehouse / "warehouse.duckdb"),
            WAREHOUSE_LANDING_DIR=str(args.landing),
        )
        from orchestration.definitions import defs

        job = defs().resolve_job_def("refresh_job")
        for _ in range(args.rounds):
            print(json.dumps(run_waves(job, args.warehouse, warehouse)), flush=True)


# Guarded: a large table's suite runs in a worker forked from a spawned host, which imports this module as __mp_main__.
if __name__ == "__main__":
    main()

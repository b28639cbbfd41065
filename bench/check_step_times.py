"""The quality checks' step times per run, from the runs' Dagster event log (issue 22 item 3; not part of `make test`).

For each run of a DAGSTER_HOME, oldest first: the summed wall time of the check steps (the waves of
orchestration/defs/quality/waves.py) and of the Great Expectations and reconciliation checks in them (each result's
check_seconds), how many checks validated and how many reported a remembered result again
(orchestration/quality/remembered.py), the rows the validating suites read and how many of them read only part of
their table, and the slowest checks.
Run it on the DAGSTER_HOME a bench left behind (bench/incremental_bench.py --keep DIR: DIR/warehouse/dagster_home).

Usage: uv run python bench/check_step_times.py DAGSTER_HOME
"""

from __future__ import annotations

import json
import os
import sys

import dagster as dg

CHECK_NAMES = ("great_expectations_", "reconciliation")
CHECK_STEP_PREFIX = "checks_after_"
"""The check steps' names (orchestration/defs/quality/waves.py)."""


def is_check_step(step_key: str) -> bool:
    return step_key.startswith(CHECK_STEP_PREFIX)


def step_seconds(instance: dg.DagsterInstance, run_id: str) -> dict[str, float]:
    """Wall seconds from each step's start to its success or failure."""
    started: dict[str, float] = {}
    seconds: dict[str, float] = {}
    ends = {dg.DagsterEventType.STEP_SUCCESS, dg.DagsterEventType.STEP_FAILURE}
    for record in instance.all_logs(run_id, of_type={dg.DagsterEventType.STEP_START, *ends}):
        if record.dagster_event.event_type == dg.DagsterEventType.STEP_START:
            started[record.step_key] = record.timestamp
        else:
            seconds[record.step_key] = record.timestamp - started[record.step_key]
    return seconds


def check_outcomes(instance: dg.DagsterInstance, run_id: str) -> tuple[dict[str, int], dict[str, float]]:
    """How many checks validated and how many reported again, the rows the validating suites read and of how many;
    and each Great Expectations or reconciliation check's seconds in its step."""
    outcomes = {"validated": 0, "reported_again": 0, "rows_validated": 0, "rows_partial": 0}
    seconds: dict[str, float] = {}
    for record in instance.all_logs(run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION):
        evaluation = record.dagster_event.event_specific_data
        if not evaluation.check_name.startswith(CHECK_NAMES):
            continue
        seconds[f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}"] = evaluation.metadata[
            "check_seconds"
        ].value
        again = evaluation.metadata.get("reported_again")
        reported_again = again is not None and again.value
        outcomes["reported_again" if reported_again else "validated"] += 1
        rows = evaluation.metadata.get("rows_validated")
        if rows is not None and not reported_again:
            outcomes["rows_validated"] += rows.value
            # rows_of: "the whole table", "this run" or "rows new since the last pass" (great_expectations.py).
            outcomes["rows_partial"] += 0 if evaluation.metadata["rows_of"].value == "the whole table" else 1
    return outcomes, seconds


def main() -> None:
    os.environ["DAGSTER_HOME"] = sys.argv[1]
    with dg.DagsterInstance.get() as instance:
        records = sorted(instance.get_run_records(), key=lambda record: record.create_timestamp)
        for record in records:
            run_id = record.dagster_run.run_id
            seconds = step_seconds(instance, run_id)
            steps = {step: round(value, 2) for step, value in seconds.items() if is_check_step(step)}
            outcomes, checks = check_outcomes(instance, run_id)
            slowest = dict(sorted(checks.items(), key=lambda item: -item[1])[:5])
            summary = {
                "run": run_id,
                "status": record.dagster_run.status.value,
                "all_steps_s": round(sum(seconds.values()), 1),
                "check_steps_s": steps,
                "check_steps_total_s": round(sum(steps.values()), 1),
                "gx_s": round(sum(v for k, v in checks.items() if ":great_expectations_" in k), 1),
                "reconciliation_s": round(sum(v for k, v in checks.items() if k.endswith(":reconciliation")), 1),
                **outcomes,
                "slowest_checks": slowest,
            }
            print(json.dumps(summary))


if __name__ == "__main__":
    main()

"""The Great Expectations check of raw declaration lines on a generated world (not part of `make test`).

The world's JW323 files are ingested once into a DuckDB file (kept with --warehouse, so code before and after a
change is measured on the same rows); then the suite expectations/raw.ijw_declaration_lines.json is validated in
this process, as a check's worker does it (orchestration/quality/table_validation.py), --rounds times: wall seconds of
the whole check (reading the frame and validating) and of the validation alone (GX on a frame read before), best of
each, and the process's peak RSS.

Usage: uv run python bench/validation_bench.py --landing DIR [--warehouse FILE] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
from pathlib import Path

import duckdb

from orchestration.ijw.pseudonym import Pseudonymiser
from orchestration.quality.suites import read_suite_file, run_suite
from orchestration.quality.table_validation import query_frame, validate_table_here
from orchestration.settings import REPO_ROOT, Settings
from orchestration.warehouse.ijw_messages import DECLARATIONS
from orchestration.warehouse.schema import ensure_schema

RUN_ID = "bench"


def ingest(landing: Path, database: Path) -> None:
    files = sorted((landing / "ijw").rglob("JW323_*.xml"))
    with duckdb.connect(str(database)) as con:
        ensure_schema(con)
        DECLARATIONS.ingest_files(con, files, Pseudonymiser(b"benchmark-key-0123456789"), RUN_ID, landing_dir=landing)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--landing", type=Path, required=True, help="a world written by python -m orchestration.generator"
    )
    parser.add_argument("--warehouse", type=Path, help="the DuckDB file to ingest into once and validate (kept)")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    database = args.warehouse or Path(tempfile.mkdtemp(prefix="validation-bench-")) / "warehouse.duckdb"
    if not database.exists():
        ingest(args.landing, database)
    suite_file = read_suite_file(REPO_ROOT / "expectations" / "raw.ijw_declaration_lines.json")
    memory_limit = Settings.from_env().duckdb_memory_limit
    with duckdb.connect(str(database), read_only=True) as con:
        frame = query_frame(con, "select * from raw.ijw_declaration_lines where run_id = ?", [RUN_ID])
    # The check and the validation alone alternate: this machine's speed drifts within minutes.
    seconds, validation_seconds, rows, failed = [], [], 0, []
    for _round in range(args.rounds):
        started = time.perf_counter()
        validation = validate_table_here(database, memory_limit, suite_file, RUN_ID)
        seconds.append(round(time.perf_counter() - started, 2))
        started = time.perf_counter()
        run_suite(frame, suite_file)
        validation_seconds.append(round(time.perf_counter() - started, 2))
        rows = validation.rows_validated
        failed = [outcome.expectation_config.type for outcome in validation.result.results if not outcome.success]
    print(
        json.dumps(
            {
                "warehouse": str(database),
                "rows_validated": rows,
                "seconds": seconds,
                "best_seconds": min(seconds),
                "validation_seconds": validation_seconds,
                "best_validation_seconds": min(validation_seconds),
                "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                "failed_expectations": failed,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()

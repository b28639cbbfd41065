"""Landing sensor benchmark: one tick's walk and digest (landing_state) over a landing directory of empty files.

Not part of `make test`. The tick must finish within Dagster's sensor evaluation timeout (60 s by default,
DAGSTER_SENSOR_GRPC_TIMEOUT_SECONDS); the sensor only stats, so file contents do not matter, only their number.
Usage: uv run python bench/landing_sensor_bench.py [--files 100000] [--per-folder 500] [--ticks 3]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from orchestration.defs.automation.landing_sensor import landing_state


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=100_000)
    parser.add_argument("--per-folder", type=int, default=500)
    parser.add_argument("--ticks", type=int, default=3)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="landing-sensor-bench-"))
    try:
        for index in range(args.files):
            folder = root / "ijw" / f"{index // args.per_folder:05d}"
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"JW323_{index:07d}.xml").touch()
        for tick in range(1, args.ticks + 1):
            started = time.perf_counter()
            state = landing_state(root)
            print(f"tick {tick}: {state.entries:,} files in {time.perf_counter() - started:.2f} s")
    finally:
        shutil.rmtree(root)


if __name__ == "__main__":
    main()

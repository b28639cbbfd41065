"""Generator benchmark: a national world for one year at a fraction of the calibrated volume (default 1%).

Not part of `make test`. Prints wall time, peak RSS, JW323 lines per second and the size on disk.
Usage: uv run python bench/generator_bench.py [--scale 0.01] [--keep DIR]
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from orchestration.generator import calibration as cal
from orchestration.generator.world import Options, generate


def _size_on_disk(out: Path) -> tuple[int, int]:
    files = [p for p in out.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def run(out: Path, scale: float) -> dict[str, float]:
    options = Options(
        out=out,
        seed=1,
        municipalities=tuple(cal.national_municipality_codes()),
        first_quarter="2024-Q1",
        last_quarter="2024-Q4",
        scale=scale,
        fault_rate=0.01,
    )
    started = time.perf_counter()
    truth = generate(options)
    seconds = time.perf_counter() - started
    files, size = _size_on_disk(out)
    lines = truth["totals"]["jw323_lines_written"]
    return {
        "seconds": seconds,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "jw323_lines": lines,
        "lines_per_second": lines / seconds,
        "files": files,
        "mib_on_disk": size / 2**20,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.01)
    parser.add_argument("--keep", type=Path, help="write here and keep the world (default: a temporary directory)")
    args = parser.parse_args()
    if args.keep:
        figures = run(args.keep, args.scale)
    else:
        with tempfile.TemporaryDirectory() as folder:
            figures = run(Path(folder), args.scale)
    for name, value in figures.items():
        print(f"{name:>18}: {value:,.1f}" if isinstance(value, float) else f"{name:>18}: {value:,}")


if __name__ == "__main__":
    main()

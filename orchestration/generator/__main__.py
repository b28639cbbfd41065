"""Command line: write a synthetic world into a landing directory (default WAREHOUSE_LANDING_DIR)."""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import time
from pathlib import Path

from orchestration.generator import calibration as cal
from orchestration.generator.cbs_snapshots import GEBIEDEN_FILE, POPULATION_FILE
from orchestration.generator.provider_names import NAMES_FILE
from orchestration.generator.steering_inputs import BUDGET_FILE, CAPS_FILE
from orchestration.generator.world import Options, generate, progress_to_stderr
from orchestration.settings import Settings

_QUARTER = re.compile(r"^\d{4}-Q[1-4]$")
# The world's own CBS snapshots are named, not the cbs/ folder: snapshots pulled from CBS may live there too.
_GENERATED = (
    "ijw",
    "ground_truth.json",
    "faults.json",
    POPULATION_FILE.as_posix(),
    GEBIEDEN_FILE.as_posix(),
    BUDGET_FILE,
    CAPS_FILE,
    NAMES_FILE,
)


def _quarter(value: str) -> str:
    if not _QUARTER.match(value):
        raise argparse.ArgumentTypeError(f"{value!r} is not a quarter like 2023-Q1")
    return value


def _municipality_codes(value: str) -> tuple[str, ...]:
    if value == "default":
        return tuple(cal.default_municipality_codes())
    if value == "national":
        return tuple(cal.national_municipality_codes())
    codes = tuple(code.strip().upper() for code in value.split(",") if code.strip())
    for code in codes:
        try:
            cal.municipality(code)
        except ValueError as error:
            raise argparse.ArgumentTypeError(str(error)) from error
    return codes


def parser() -> argparse.ArgumentParser:
    result = argparse.ArgumentParser(
        prog="python -m orchestration.generator",
        description="Write synthetic iJw 3.2 traffic (JW315, JW301, JW305, JW307, JW323) with ground_truth.json "
        "and faults.json. Same seed and options give byte-identical files.",
    )
    result.add_argument("--out", type=Path, help="landing directory (default: WAREHOUSE_LANDING_DIR or data/landing)")
    result.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    result.add_argument(
        "--municipalities",
        type=_municipality_codes,
        default="default",
        help="'default' (the 20 of seeds/reference/municipalities.csv), 'national' (the 390 of CBS 2016) "
        "or a comma list of GM codes",
    )
    result.add_argument("--from", dest="first_quarter", type=_quarter, default="2023-Q1", help="first quarter")
    result.add_argument("--to", dest="last_quarter", type=_quarter, default="2024-Q4", help="last quarter")
    result.add_argument("--scale", type=float, default=1.0, help="fraction of the calibrated volume (default 1.0)")
    result.add_argument("--faults", type=float, default=0.01, help="fault rate per JW323 line and file; 0 = none")
    result.add_argument(
        "--renewals",
        type=float,
        default=0.0,
        help="share of regular allocations ended for a change (JZ588 36/37) and renewed the next day; 0 = none",
    )
    result.add_argument(
        "--overwrite",
        action="store_true",
        help="remove ijw/, ground_truth.json, faults.json and the generated cbs/ and budgets/ files in --out first",
    )
    verbosity = result.add_mutually_exclusive_group()
    verbosity.add_argument("--progress", dest="progress", action="store_true", default=True, help="progress on stderr")
    verbosity.add_argument("--quiet", dest="progress", action="store_false", help="no progress output")
    return result


def _prepare(out: Path, overwrite: bool) -> None:
    present = [out / name for name in _GENERATED if (out / name).exists()]
    if present and not overwrite:
        names = ", ".join(p.relative_to(out).as_posix() for p in present)
        raise SystemExit(
            f"{out} already holds {names}: a world must not mix with earlier files. "
            "Use --overwrite (make sample SAMPLE_ARGS=--overwrite) or another --out."
        )
    for path in present:
        shutil.rmtree(path) if path.is_dir() else path.unlink()


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.first_quarter > args.last_quarter:
        raise SystemExit(f"--from {args.first_quarter} is after --to {args.last_quarter}")
    if args.scale <= 0 or not 0 <= args.faults <= 1 or not 0 <= args.renewals <= 1:
        raise SystemExit("--scale must be positive and --faults and --renewals between 0 and 1")
    out = (args.out or Settings.from_env().landing_dir).resolve()
    _prepare(out, args.overwrite)
    options = Options(
        out=out,
        seed=args.seed,
        municipalities=args.municipalities,
        first_quarter=args.first_quarter,
        last_quarter=args.last_quarter,
        scale=args.scale,
        fault_rate=args.faults,
        renewal_share=args.renewals,
    )
    started = time.monotonic()
    truth = generate(options, progress_to_stderr if args.progress else None)
    if args.progress:
        totals = truth["totals"]
        print(
            f"wrote {sum(totals['files'].values())} files ({totals['jw323_lines_written']} declaration lines, "
            f"{sum(truth['faults'].values())} faults) to {out} in {time.monotonic() - started:.1f} s",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

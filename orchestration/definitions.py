"""The Dagster code location: everything under orchestration/defs/, one folder per concern."""

from functools import cache
from pathlib import Path

import dagster as dg


@dg.definitions
@cache
def defs() -> dg.Definitions:
    # Built once per process: `dg launch` asks for them six times (the command, then each reconstruction of the job
    # for the run), and each build walks the whole defs folder again (docs/benchmarks.md).
    return dg.load_from_defs_folder(path_within_project=Path(__file__).parent)

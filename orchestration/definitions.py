"""The Dagster code location: everything under orchestration/defs/, one folder per concern."""

import atexit
import gc
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import dagster as dg


@dg.definitions
@cache
def defs() -> dg.Definitions:
    # Built once per process: `dg launch` asks for them six times (the command, then each reconstruction of the job
    # for the run), and each build walks the whole defs folder again (docs/benchmarks.md).
    with long_lived_objects():
        return dg.load_from_defs_folder(path_within_project=Path(__file__).parent)


@contextmanager
def long_lived_objects() -> Iterator[None]:
    """Python's cycle collector paused while the definitions are built, then every object made so far frozen (left
    out of later collections), and everything frozen again at exit. Importing dagster-dbt and dbt and building the
    definitions makes hundreds of thousands of objects that live as long as the process, and every full collection
    walks all of them: during the build, and in the collections CPython runs on its way out, seconds of each
    `dg launch` (docs/benchmarks.md). Frozen objects are still freed by reference counting; only garbage in a
    reference cycle among them stays until the process ends."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()
        atexit.register(gc.freeze)

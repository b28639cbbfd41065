"""Worker processes for the inventory, the ingest and the table validations, gone as soon as the process that started
them.

Spawned, or forked from a forkserver (a single-threaded process that imported the modules once), never forked from
the Dagster process, whose DuckDB and Dagster threads' locks a forked child would inherit in whatever state. A worker
left running after its run was killed would hold the warehouse open, so each watches the process that asked for it
and exits when that is gone (for a worker of the forkserver that is not its parent).
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing.context import BaseContext

_PARENT_CHECK_SECONDS = 0.5


def worker_pool(processes: int, context: BaseContext | None = None) -> ProcessPoolExecutor:
    """`processes` workers, spawned unless another start method's context is given."""
    context = context or multiprocessing.get_context("spawn")
    return ProcessPoolExecutor(processes, mp_context=context, initializer=_exit_with_starter, initargs=(os.getpid(),))


def forked_worker(preload: list[str]) -> ProcessPoolExecutor:
    """One worker forked from the forkserver, which imports the modules in `preload` when it starts (the first call in
    this process decides them). Where there is no forkserver (Windows), the worker is spawned.

    The server also imports the main script, as multiprocessing's own default preload does, so a worker does not
    import it again for every check (docs/benchmarks.md)."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return worker_pool(1)
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["__main__", *preload])
    return worker_pool(1, context)


def _exit_with_starter(starter: int) -> None:
    threading.Thread(target=_watch_starter, args=(starter, os.getppid()), name="exit-with-starter", daemon=True).start()


def _watch_starter(starter: int, parent: int) -> None:
    while os.getppid() == parent and _exists(starter):
        time.sleep(_PARENT_CHECK_SECONDS)
    os._exit(1)


def _exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):  # gone, or alive under another user: the pid was reused
        return False
    return True

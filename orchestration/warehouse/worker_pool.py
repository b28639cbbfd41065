"""Worker processes for the inventory, the ingest and the table validations, gone as soon as the process that started
them.

Spawned, or forked from a spawned host that imported the modules once and holds no database and no thread but its
watcher; never forked from the Dagster process, whose DuckDB and Dagster threads' locks a forked child would inherit
in whatever state. A worker left running after its run was killed would hold the warehouse open, so each watches the
process that asked for it and exits when that is gone.
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


def forked_worker() -> ProcessPoolExecutor:
    """One worker forked from this process, which must be such a host (the module docstring): it starts with what the
    host imported. Where there is no fork (Windows), the worker is spawned."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return worker_pool(1)
    return worker_pool(1, multiprocessing.get_context("fork"))


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

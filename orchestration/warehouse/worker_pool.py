"""Worker processes for the iJw inventory and ingest: spawned, and gone as soon as the process that started them.

Spawned, not forked: the Dagster process holds DuckDB's and Dagster's own threads, and a forked child inherits their
locks in whatever state they were. A worker left running after its run was killed or terminated would go on reading
for minutes and hold the warehouse open (a lane attaches it read-only), so the next run could not write it; each worker
therefore watches its parent and exits when it is gone.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor

_PARENT_CHECK_SECONDS = 0.5


def worker_pool(processes: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(
        processes,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_exit_with_parent,
        initargs=(os.getpid(),),
    )


def _exit_with_parent(parent: int) -> None:
    threading.Thread(target=_watch_parent, args=(parent,), name="exit-with-parent", daemon=True).start()


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(_PARENT_CHECK_SECONDS)
    os._exit(1)

"""Reading many small files from a cold page cache: ask the kernel for the next files before they are read.

A small file read from a cold cache costs a disk round trip; asking the kernel to read a window of files ahead
(posix_fadvise WILLNEED) lets the round trips overlap, without threads in the way of a warm cache.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator, Sequence
from typing import TypeVar

READ_AHEAD_FILES = 256

PathT = TypeVar("PathT", str, os.PathLike)


def read_ahead(paths: Sequence[PathT], window: int = READ_AHEAD_FILES) -> Iterator[PathT]:
    """paths, each one yielded after the kernel was asked to start reading the window of files after it."""
    if not hasattr(os, "posix_fadvise"):  # not on macOS: there the files are simply read in turn
        yield from paths
        return
    for ahead in paths[:window]:
        advise_will_need(ahead)
    for index, path in enumerate(paths):
        if index + window < len(paths):
            advise_will_need(paths[index + window])
        yield path


# Never follows a link and never waits: a fifo opened without O_NONBLOCK blocks until someone writes to it.
_ADVISE_OPEN_FLAGS = os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NOCTTY


def advise_will_need(path: str | os.PathLike) -> None:
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return  # a device is never opened; whoever reads it reports what it is
        descriptor = os.open(path, _ADVISE_OPEN_FLAGS)
    except OSError:
        return  # gone or unreadable: whoever reads it reports that
    try:
        if stat.S_ISREG(os.fstat(descriptor).st_mode):
            os.posix_fadvise(descriptor, 0, 0, os.POSIX_FADV_WILLNEED)
    except OSError:
        return  # advice only
    finally:
        os.close(descriptor)

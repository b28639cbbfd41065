"""One line now and then on a long step: files done so far of the total, so the console of `make run` shows a national
ingest moving without a line per file or batch. A step shorter than the interval says nothing."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

PROGRESS_SECONDS = 10.0


class Progress:
    """Counts the files a step has done and, at most once per interval, tells `say` how many of the total."""

    def __init__(self, what: str, total: int, say: Callable[[str], None], interval: float = PROGRESS_SECONDS):
        self.what, self.total, self.say, self.interval = what, total, say, interval
        self.done = 0
        self._next = time.monotonic() + interval

    def add(self, files: int) -> None:
        self.set(self.done + files)

    def set(self, done: int) -> None:
        self.done = done
        now = time.monotonic()
        if now >= self._next and self.done < self.total:
            self._next = now + self.interval
            self.say(f"{self.what}: {self.done:,} of {self.total:,} files")


def write_count(path: Path, done: int) -> None:
    """A process's count of files done, for another process to read (read_count): replaced whole, never half written."""
    partial = path.with_name(path.name + ".partial")
    partial.write_text(str(done))
    os.replace(partial, path)


def read_count(path: Path) -> int:
    try:
        return int(path.read_text())
    except (OSError, ValueError):
        return 0  # not written yet

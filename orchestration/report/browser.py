"""Headless Chromium for looking at a report: Debian's chromium driven by Playwright (a dev dependency).

Playwright's own browser download is never used (the machines reach only package registries): the Makefile installs
Debian's chromium and this launches it by path. Every background service of Chromium that would phone home is
switched off, so a page that requests nothing causes no network traffic at all.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@contextmanager
def chromium_context(viewport: tuple[int, int] = (1280, 900)) -> Iterator[object]:
    """A Playwright BrowserContext of a fresh Chromium profile, closed (and its profile removed) on exit."""
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        raise FileNotFoundError(f"{CHROMIUM} is missing: `make setup` installs Debian's chromium package")
    with sync_playwright() as playwright, tempfile.TemporaryDirectory(prefix="report-chromium-") as profile:
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": viewport[0], "height": viewport[1]},
        )
        try:
            yield context
        finally:
            context.close()

"""The documentation server `make ui` starts beside the Dagster UI: the Great Expectations Data Docs under /data-docs/
and the dbt docs site under /dbt-docs/, over http on 127.0.0.1 (WAREHOUSE_DOCS_PORT). The UI is an http page, and a
browser follows no file:// link from one, so the links on the check and asset pages point here (docs_links).

Static files only, from those two folders. With --exit-with PID it stops once that process has ended (`make ui` passes
its shell), so it never outlives the UI it serves.
"""

from __future__ import annotations

import argparse
import http.server
import os
import threading
import urllib.parse
from pathlib import Path

from orchestration.settings import DBT_DOCS_DIR, Settings

DATA_DOCS_ROUTE = "data-docs"
DBT_DOCS_ROUTE = "dbt-docs"


def data_docs_url(settings: Settings, page: Path) -> str:
    """The served URL of a Data Docs page written under settings.data_docs_dir."""
    relative = page.resolve().relative_to(settings.data_docs_dir.resolve()).as_posix()
    return f"{settings.docs_url}/{DATA_DOCS_ROUTE}/{urllib.parse.quote(relative)}"


def dbt_docs_url(settings: Settings, resource_type: str, unique_id: str) -> str:
    """The dbt docs page of one node (model, seed, source), by the site's own routes."""
    return f"{settings.docs_url}/{DBT_DOCS_ROUTE}/#!/{resource_type}/{unique_id}"


class _DocsHandler(http.server.SimpleHTTPRequestHandler):
    routes: dict[str, Path] = {}

    def translate_path(self, path: str) -> str:
        route, _, rest = urllib.parse.urlsplit(path).path.lstrip("/").partition("/")
        root = self.routes.get(route)
        if root is None:
            return str(Path(os.devnull) / "absent")  # answered 404
        # The base class resolves the rest under self.directory and drops '..' and absolute parts.
        self.directory = str(root)
        return super().translate_path("/" + rest)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        """Quiet: the terminal belongs to the Dagster UI."""


def make_server(port: int, data_docs_dir: Path, dbt_docs_dir: Path = DBT_DOCS_DIR) -> http.server.ThreadingHTTPServer:
    """A server on 127.0.0.1:port (0: any free port) for both sites; serve_forever() runs it."""
    handler = type(
        "DocsHandler", (_DocsHandler,), {"routes": {DATA_DOCS_ROUTE: data_docs_dir, DBT_DOCS_ROUTE: dbt_docs_dir}}
    )
    return http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)


def stop_when_gone(server: http.server.ThreadingHTTPServer, pid: int, poll_seconds: float = 1.0) -> threading.Thread:
    """A thread that shuts server down once process pid has ended."""

    def watch() -> None:
        while True:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                server.shutdown()
                return
            threading.Event().wait(poll_seconds)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    return watcher


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exit-with", type=int, metavar="PID", help="stop once this process has ended")
    arguments = parser.parse_args()
    settings = Settings.from_env()
    settings.data_docs_dir.mkdir(parents=True, exist_ok=True)
    with make_server(settings.docs_port, settings.data_docs_dir) as server:
        if arguments.exit_with:
            stop_when_gone(server, arguments.exit_with)
        print(
            f"Docs: Data Docs on {settings.docs_url}/{DATA_DOCS_ROUTE}/index.html, "
            f"dbt docs on {settings.docs_url}/{DBT_DOCS_ROUTE}/index.html",
            flush=True,
        )
        server.serve_forever()


if __name__ == "__main__":
    main()

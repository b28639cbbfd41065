"""`dg dev` for the browser tests of the Dagster UI: started once per session on a free port of 127.0.0.1, with its
own DAGSTER_HOME (the project's dagster.yaml), a landing directory (empty until a test lands files there) and a
warehouse under a temporary folder, and stopped when the session ends (a Ctrl-C, then its whole process group killed
if it hangs).

Any test module can use the `dagster_ui` fixture (conftest.py registers it); dg dev's output is in DagsterUI.log.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from orchestration.serving.cluster import free_port
from orchestration.settings import REPO_ROOT

START_TIMEOUT_SECONDS = 600
"""Loading the definitions on a busy two-core machine takes minutes; a healthy start never nears this."""
STOP_TIMEOUT_SECONDS = 60
LOCATION_STATUS = "{ workspaceOrError { ... on Workspace { locationEntries { name loadStatus } } } }"


@dataclass(frozen=True)
class DagsterUI:
    url: str
    home: Path
    log: Path
    landing: Path
    warehouse: Path
    """WAREHOUSE_DIR of dg dev's runs: the live warehouse.duckdb and the closes under closes/."""

    def graphql(self, query: str) -> dict:
        response = requests.post(f"{self.url}/graphql", json={"query": query}, timeout=60)
        response.raise_for_status()
        return response.json()["data"]


def _loaded(ui: DagsterUI) -> bool:
    try:
        entries = ui.graphql(LOCATION_STATUS)["workspaceOrError"]["locationEntries"]
    except (requests.RequestException, KeyError, TypeError):
        return False
    return bool(entries) and all(entry["loadStatus"] == "LOADED" for entry in entries)


@pytest.fixture(scope="session")
def dagster_ui(tmp_path_factory) -> DagsterUI:
    root = tmp_path_factory.mktemp("dagster_ui")
    home, landing = root / "dagster_home", root / "landing"
    home.mkdir()
    landing.mkdir()
    shutil.copy(REPO_ROOT / "dagster.yaml", home / "dagster.yaml")
    ui = DagsterUI(
        url=f"http://127.0.0.1:{free_port()}",
        home=home,
        log=root / "dg_dev.log",
        landing=landing,
        warehouse=root / "warehouse",
    )
    bin_dir = Path(sys.executable).parent  # the venv's dg, and dbt for dagster-dbt
    environment = os.environ | {
        "DAGSTER_HOME": str(home),
        "WAREHOUSE_DIR": str(ui.warehouse),
        "WAREHOUSE_LANDING_DIR": str(landing),
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        "VIRTUAL_ENV": str(bin_dir.parent),  # else dg warns that no virtual environment is active
    }
    port = ui.url.rsplit(":", 1)[1]
    with ui.log.open("wb") as log:
        process = subprocess.Popen(
            [str(bin_dir / "dg"), "dev", "--host", "127.0.0.1", "--port", port],
            cwd=REPO_ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so the stop reaches every process dg dev started
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while not _loaded(ui):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"dg dev did not load the code location; its output:\n{ui.log.read_text()[-4000:]}")
            time.sleep(2)
        yield ui
    finally:
        # Ctrl-C to dg dev alone, as a user stops it: it stops the webserver, daemon and code servers in order.
        process.send_signal(signal.SIGINT)
        try:
            process.wait(STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

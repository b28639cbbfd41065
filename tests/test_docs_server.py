"""The documentation server `make ui` starts: both sites over http from their folders, nothing outside them, and it
stops once the process it was started with has ended; and the links the UI shows point at it."""

import subprocess
import sys
import threading
import urllib.error
import urllib.request

import pytest

from orchestration.docs_server import data_docs_url, dbt_docs_url, make_server, stop_when_gone
from orchestration.settings import Settings


@pytest.fixture
def served(tmp_path):
    data_docs, dbt_docs = tmp_path / "data_docs", tmp_path / "dbt_docs"
    (data_docs / "validations" / "raw").mkdir(parents=True)
    dbt_docs.mkdir()
    (data_docs / "validations" / "raw" / "page one.html").write_text("<p>validation</p>", encoding="utf-8")
    (dbt_docs / "index.html").write_text("<p>dbt docs</p>", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("not served", encoding="utf-8")
    server = make_server(0, data_docs, dbt_docs)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", server
    server.shutdown()
    server.server_close()


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - a local http URL
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, ""


def test_serves_both_sites_and_nothing_beside_them(served):
    base, _ = served
    assert get(f"{base}/data-docs/validations/raw/page%20one.html") == (200, "<p>validation</p>")
    assert get(f"{base}/dbt-docs/index.html") == (200, "<p>dbt docs</p>")
    for outside in ("/data-docs/../secret.txt", "/data-docs/%2e%2e/secret.txt", "/secret.txt", "/other/index.html"):
        status, body = get(base + outside)
        assert status == 404 and "not served" not in body, outside


def test_stops_once_the_process_it_exits_with_has_ended(served):
    _, server = served
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(0.5)"])
    watcher = stop_when_gone(server, process.pid, poll_seconds=0.1)
    process.wait()
    # The process is reaped, so its id is gone: the watcher shuts the server down and ends.
    watcher.join(timeout=10)
    assert not watcher.is_alive()


def test_links_point_at_the_server_over_http(tmp_path, monkeypatch):
    monkeypatch.setenv("WAREHOUSE_DIR", str(tmp_path))
    monkeypatch.setenv("WAREHOUSE_DOCS_PORT", "3999")
    settings = Settings.from_env()
    page = settings.data_docs_dir / "validations" / "raw" / "ijw_allocations" / "a b.html"
    assert data_docs_url(settings, page) == "http://127.0.0.1:3999/data-docs/validations/raw/ijw_allocations/a%20b.html"
    assert (
        dbt_docs_url(settings, "model", "model.jeugdhulp_warehouse.fct_trajectory")
        == "http://127.0.0.1:3999/dbt-docs/#!/model/model.jeugdhulp_warehouse.fct_trajectory"
    )

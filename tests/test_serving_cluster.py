"""The local PostgreSQL cluster (orchestration/serving/cluster.py): created, started, reachable over its socket,
password-only over TCP, stopped and started again with its data kept; `make serve` (python -m orchestration.serving)
serving a warehouse's tiers to bi_reader, or saying why it cannot."""

import shutil
import tempfile
from pathlib import Path

import psycopg
import pytest

from orchestration.serving import __main__ as serving_cli
from orchestration.serving.cluster import Cluster, ClusterError, free_port
from tests.serving_tiers import write_tiers


def test_session_cluster_accepts_the_loader_over_its_socket(postgres_cluster):
    with psycopg.connect(postgres_cluster.conninfo()) as connection:
        user, superuser = connection.execute(
            "select current_user, usesuper from pg_user where usename = current_user"
        ).fetchone()
    assert (user, superuser) == ("loader", True)


def test_tcp_asks_for_a_password(postgres_cluster):
    tcp = psycopg.conninfo.make_conninfo(host="127.0.0.1", port=postgres_cluster.port, user="loader", dbname="postgres")
    with pytest.raises(psycopg.OperationalError, match="password"):
        psycopg.connect(tcp, connect_timeout=5)


def test_a_cluster_keeps_its_data_across_a_restart():
    cluster = Cluster(directory=Path(tempfile.mkdtemp(prefix="pg-restart-")), port=free_port())
    cluster.init()
    cluster.start()
    try:
        cluster.create_database("kept")
        cluster.stop()
        assert not cluster.running()
        cluster.init()  # a second init leaves the existing cluster alone
        cluster.start()
        with psycopg.connect(cluster.conninfo(dbname="kept")) as connection:
            assert connection.execute("select current_database()").fetchone() == ("kept",)
    finally:
        cluster.stop()
        shutil.rmtree(cluster.directory, ignore_errors=True)


def test_missing_binaries_are_named():
    directory = Path(tempfile.mkdtemp(prefix="pg-nobin-"))
    directory.chmod(0o755)
    cluster = Cluster(directory=directory / "pg", port=free_port(), bin_dir=directory / "nowhere")
    try:
        with pytest.raises(ClusterError, match="initdb failed"):
            cluster.init()
    finally:
        shutil.rmtree(directory)


def test_make_serve_serves_the_warehouse_tiers_to_bi_reader(monkeypatch, capsys):
    warehouse_dir = Path(tempfile.mkdtemp(prefix="serve-"))
    warehouse_dir.chmod(0o755)  # the server runs as postgres when the tests run as root
    write_tiers(warehouse_dir / "warehouse.duckdb")
    monkeypatch.setenv("WAREHOUSE_DIR", str(warehouse_dir))
    monkeypatch.setenv("SERVING_POSTGRES_PORT", str(free_port()))
    monkeypatch.delenv("SERVING_POSTGRES_DSN", raising=False)
    try:
        assert serving_cli.main(["serve"]) == 0
        psql_line = next(line for line in capsys.readouterr().out.splitlines() if "as bi_reader" in line)
        with psycopg.connect(psql_line.split('psql "')[1].rstrip('"')) as connection:
            assert connection.execute("select current_user, count(*) from public_marts.kpi_values").fetchone() == (
                "bi_reader",
                4,
            )
    finally:
        assert serving_cli.main(["stop"]) == 0
        shutil.rmtree(warehouse_dir, ignore_errors=True)


def test_make_serve_says_why_it_cannot_start(monkeypatch, capsys):
    monkeypatch.setenv("SERVING_POSTGRES_PORT", "five-four-three-three")
    assert serving_cli.main(["serve"]) == 1
    assert "SERVING_POSTGRES_PORT must be a whole number" in capsys.readouterr().err

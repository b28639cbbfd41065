"""The local PostgreSQL cluster (orchestration/serving/cluster.py): created, started, reachable over its socket,
password-only over TCP, stopped and started again with its data kept."""

import tempfile
from pathlib import Path

import psycopg
import pytest

from orchestration.serving.cluster import Cluster, ClusterError, free_port


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


def test_missing_binaries_are_named():
    directory = Path(tempfile.mkdtemp(prefix="pg-nobin-"))
    directory.chmod(0o755)
    cluster = Cluster(directory=directory / "pg", port=free_port(), bin_dir=directory / "nowhere")
    with pytest.raises(ClusterError, match="initdb failed"):
        cluster.init()

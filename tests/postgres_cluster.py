"""The throw-away PostgreSQL cluster of a test session (orchestration/serving/cluster.py), started once under a
temporary directory and stopped, with its directory removed, when the session ends."""

import shutil
import tempfile
from pathlib import Path

import pytest

from orchestration.serving.cluster import Cluster, free_port, postgres_bin_dir


@pytest.fixture(scope="session")
def postgres_cluster():
    """A running cluster whose superuser is `loader`; tests create their own databases in it."""
    if postgres_bin_dir() is None:
        pytest.skip("PostgreSQL server binaries not installed: run `make postgres` (Debian's postgresql package)")
    # Not pytest's tmp_path: its base is private to the user running pytest, and as root the server runs as postgres.
    directory = Path(tempfile.mkdtemp(prefix="pg-test-"))
    cluster = Cluster(directory=directory, port=free_port())
    cluster.init()
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(directory, ignore_errors=True)

"""A local PostgreSQL cluster run with Debian's binaries: for `make serve` (under WAREHOUSE_DIR/postgres) and for the
throw-away cluster of a test session.

initdb and postgres refuse to run as root, and CI runs as root: there the binaries run as the `postgres` system user
the Debian package creates, and the cluster directory belongs to that user. The server listens on 127.0.0.1 and on a
unix socket in the cluster directory; the socket trusts whoever can reach it (the directory is 0700: its owner and
root), TCP asks for a password (scram-sha-256), so a BI tool on the network needs one and the loader on this machine
does not.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg

DEBIAN_POSTGRESQL_DIR = Path("/usr/lib/postgresql")
SUPERUSER = "loader"
"""The cluster's superuser and the only role that writes the served schemas (orchestration/serving/roles.py)."""
SYSTEM_USER = "postgres"
# A unix socket path longer than this (sun_path, 108 bytes with its NUL) cannot be bound; libpq says so obscurely.
MAX_SOCKET_PATH = 107


class ClusterError(RuntimeError):
    """The cluster could not be created, started or stopped; the message carries the server's own words."""


def postgres_bin_dir() -> Path | None:
    """The newest Debian PostgreSQL's bin directory holding initdb and pg_ctl, or None when none is installed."""
    candidates = sorted(
        (path for path in DEBIAN_POSTGRESQL_DIR.glob("*/bin") if (path / "initdb").exists()),
        key=lambda path: int(path.parent.name) if path.parent.name.isdigit() else 0,
    )
    return candidates[-1] if candidates else None


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now (for a throw-away cluster)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass(frozen=True)
class Cluster:
    """A PostgreSQL cluster in `directory`, served on `port` (127.0.0.1 and a socket in `directory`)."""

    directory: Path
    port: int
    bin_dir: Path | None = None

    @property
    def binaries(self) -> Path:
        bin_dir = self.bin_dir or postgres_bin_dir()
        if bin_dir is None:
            raise ClusterError(
                f"no PostgreSQL server binaries under {DEBIAN_POSTGRESQL_DIR}/<version>/bin: run `make postgres` "
                "(Debian's postgresql package)"
            )
        return bin_dir

    @property
    def log_path(self) -> Path:
        return self.directory / "server.log"

    @property
    def socket_dir(self) -> Path | None:
        """Where the unix socket lives, or None when the directory's path is too long for one (TCP only then)."""
        too_long = len(str(self.directory / f".s.PGSQL.{self.port}")) > MAX_SOCKET_PATH
        return None if too_long else self.directory

    def initialised(self) -> bool:
        return (self.directory / "PG_VERSION").exists()

    def init(self) -> None:
        """Create the cluster (superuser `loader`) unless the directory already holds one."""
        if self.initialised():
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        self._hand_over(self.directory)
        self._run(
            "initdb",
            "--pgdata",
            str(self.directory),
            "--username",
            SUPERUSER,
            "--auth-local",
            "trust",
            "--auth-host",
            "scram-sha-256",
            "--encoding",
            "UTF8",
            "--locale",
            "C.UTF-8",
        )

    def running(self) -> bool:
        if not self.initialised():
            return False
        status = subprocess.run(
            [*self._as_owner(), str(self.binaries / "pg_ctl"), "status", "--pgdata", str(self.directory)],
            capture_output=True,
            text=True,
            check=False,
        )
        return status.returncode == 0

    def start(self, timeout_seconds: int = 60) -> None:
        """Start the server (if it is not running) and wait until it accepts connections."""
        if not self.running():
            socket_dir = str(self.socket_dir) if self.socket_dir else "''"
            options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {socket_dir}"
            self._run(
                "pg_ctl",
                "start",
                "--pgdata",
                str(self.directory),
                "--log",
                str(self.log_path),
                "--options",
                options,
                "--wait",
                "--timeout",
                str(timeout_seconds),
            )
        self.wait_ready(timeout_seconds)

    def wait_ready(self, timeout_seconds: int = 60) -> None:
        deadline = time.monotonic() + timeout_seconds
        while True:
            try:
                with psycopg.connect(self.conninfo(), connect_timeout=5):
                    return
            except psycopg.OperationalError as error:
                if time.monotonic() > deadline:
                    message = f"PostgreSQL in {self.directory} not ready after {timeout_seconds} s: {error}"
                    raise ClusterError(message) from error
                time.sleep(0.2)

    def stop(self, mode: str = "fast") -> None:
        """Stop the server; nothing to do when it is down. `fast` ends open sessions and keeps committed work;
        `immediate` kills the server as a crash would (the next start recovers from the WAL)."""
        if self.running():
            self._run("pg_ctl", "stop", "--pgdata", str(self.directory), "--mode", mode, "--wait")

    def conninfo(self, user: str = SUPERUSER, dbname: str = "postgres") -> str:
        """A libpq connection string: over the socket (no password) when there is one, else 127.0.0.1."""
        host = self.socket_dir or "127.0.0.1"
        return psycopg.conninfo.make_conninfo(host=str(host), port=self.port, user=user, dbname=dbname)

    def create_database(self, name: str) -> None:
        """Create database `name` (owned by the loader) unless it exists."""
        with psycopg.connect(self.conninfo(), autocommit=True) as connection:
            exists = connection.execute("select 1 from pg_database where datname = %s", [name]).fetchone()
            if not exists:
                connection.execute(psycopg.sql.SQL("create database {}").format(psycopg.sql.Identifier(name)))

    def _as_owner(self) -> list[str]:
        # runuser, not sudo: root needs no password and CI images carry no sudo.
        return ["runuser", "-u", SYSTEM_USER, "--"] if os.geteuid() == 0 else []

    def _hand_over(self, directory: Path) -> None:
        """Root runs the server as `postgres`: the cluster directory must be that user's and its parents passable."""
        if os.geteuid() != 0:
            return
        user = pwd.getpwnam(SYSTEM_USER)
        shutil.chown(directory, user=user.pw_uid, group=user.pw_gid)
        for parent in directory.parents:
            status = parent.stat()
            if status.st_uid != user.pw_uid and status.st_mode & 0o001 == 0:
                raise ClusterError(
                    f"{parent} is not passable by the {SYSTEM_USER} user that runs the server: choose a cluster "
                    "directory whose parents others may enter (chmod o+x)"
                )

    def _run(self, binary: str, *arguments: str) -> None:
        command = [*self._as_owner(), str(self.binaries / binary), *arguments]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            log = self.log_path.read_text(errors="replace")[-2000:] if self.log_path.exists() else ""
            raise ClusterError(
                f"{binary} failed for the cluster in {self.directory} (exit {result.returncode}):\n"
                f"{result.stderr.strip() or result.stdout.strip()}\n{log}".rstrip()
            )

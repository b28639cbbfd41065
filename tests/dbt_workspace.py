"""dbt on a small test warehouse through dagster-dbt's DbtCliResource (as the pipeline runs it, never a bare
subprocess), in one folder per test process.

dbt's profile holds the warehouse's path, and dbt parses the whole project again whenever the profile or the vars
change. So every warehouse is copied to the same path, built there and copied back, with one target folder per set of
vars: each build after the first with the same vars reuses its parse.
"""

from __future__ import annotations

import atexit
import functools
import hashlib
import json
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest
from dagster_dbt import DbtCliInvocation, DbtCliResource

from orchestration.settings import DBT_PROJECT_DIR


@functools.cache
def _workspace() -> Path:
    workspace = Path(tempfile.mkdtemp(prefix="test-dbt-"))
    atexit.register(shutil.rmtree, workspace, True)
    return workspace


def run_dbt(
    db_path: Path, args: Sequence[str], dbt_vars: Mapping[str, object] | None = None, raise_on_error: bool = True
) -> DbtCliInvocation:
    """`dbt <args>` (with `dbt_vars`) on the DuckDB file at db_path, which need not exist yet; the finished invocation.
    Raises when a node fails unless raise_on_error is false; db_path holds what dbt wrote either way."""
    vars_json = json.dumps(dict(dbt_vars), sort_keys=True) if dbt_vars else ""
    workspace = _workspace()
    built = workspace / "warehouse.duckdb"
    # A write-ahead log left beside the shared path would be replayed into the next warehouse copied there.
    for stale in (built, built.with_name(f"{built.name}.wal")):
        stale.unlink(missing_ok=True)
    if db_path.exists():
        shutil.copy(db_path, built)
    target = workspace / hashlib.sha256(vars_json.encode()).hexdigest()[:12]
    arguments = [*args, *(["--vars", vars_json] if vars_json else [])]
    try:
        with pytest.MonkeyPatch.context() as monkeypatch:
            monkeypatch.setenv("WAREHOUSE_DUCKDB_PATH", str(built))
            monkeypatch.setenv("WAREHOUSE_TARGET", "duckdb")
            dbt = DbtCliResource(project_dir=str(DBT_PROJECT_DIR))
            return dbt.cli(arguments, target_path=target, raise_on_error=raise_on_error).wait()
    finally:
        if built.exists():
            shutil.copy(built, db_path)

"""Whether the dbt steps have anything to build (issue 22 item 3): a refresh with nothing new rebuilds no model.

The fingerprint covers everything `dbt build` reads: the dbt project's files (what dbt parses: models, seeds, macros,
tests, dbt_project.yml, profiles.yml), the vars, dbt's and the adapter's versions, and every dbt source table's rows
(their count and the sum of their hashes). Each dbt step stores it with its run id once its whole selection built; a
step whose run already stored one (the KPI step after the star schema's) takes that one instead of hashing again.
A step is skipped only when both steps stored the current fingerprint in one run and Dagster records that run as
succeeded: a failed or partial build, or a run whose checks, publication or reports failed, is built again. Only the
DuckDB target is fingerprinted; on PostgreSQL the sources live where this process does not read them. Beside the
fingerprint a step keeps the code digest (project files, versions): a step whose last whole build had another one
builds with --full-refresh, so the incremental models never keep rows older SQL made.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from importlib.metadata import version
from typing import Any

import dagster as dg
import duckdb

from orchestration.defs.dbt.project import parsed_paths, warehouse_dbt_project
from orchestration.warehouse.table_digest import row_digest

STEPS = ("star_schema", "kpi_marts")
"""The dbt steps (orchestration/defs/dbt/assets.py); a build is done when both stored one fingerprint in one run."""

REBUILD_TAG = "warehouse/dbt_rebuild"
"""A run with this tag set to "true" builds the dbt steps even when nothing changed."""

STATE_DDL = [
    "create schema if not exists build_state",
    """
    create table if not exists build_state.dbt_steps (
        step varchar primary key,
        fingerprint varchar not null,
        run_id varchar not null,
        built_at timestamptz not null,
        reused_by_run_id varchar,
        reused_at timestamptz
    )
    """,
    # Warehouses built before the code digest was kept get the column (null: their next build is a full refresh).
    "alter table build_state.dbt_steps add column if not exists code varchar",
]


def project_files_digest() -> str:
    """sha256 over every file dbt parses, by path relative to the project and contents."""
    digest = hashlib.sha256()
    root = warehouse_dbt_project.project_dir
    files = sorted({path.resolve() for path in parsed_paths(warehouse_dbt_project) if path.is_file()})
    for path in files:
        digest.update(str(path.relative_to(root.parent.resolve())).encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def code_digest() -> str:
    """What decides how dbt turns rows into tables: the project's files and dbt's and the adapter's versions."""
    content = {"project_files": project_files_digest(), "versions": [version("dbt-core"), version("dbt-duckdb")]}
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def source_tables(manifest: dict[str, Any]) -> list[tuple[str, str]]:
    """(schema, table) of every dbt source, sorted."""
    return sorted({(source["schema"], source["identifier"]) for source in manifest["sources"].values()})


def sources_digest(con: duckdb.DuckDBPyConnection, tables: list[tuple[str, str]]) -> list[list[Any]]:
    """Per source table its row count and the sum of its rows' hashes (order-free, so DuckDB's parallel inserts do
    not matter); "absent" for a table not made yet (no close taken, say)."""
    present = {
        (schema, name)
        for schema, name in con.execute(
            "select table_schema, table_name from information_schema.tables where table_catalog = current_database()"
        ).fetchall()
    }
    digests = []
    for schema, name in tables:
        if (schema, name) not in present:
            digests.append([schema, name, "absent"])
            continue
        digests.append([schema, name, *row_digest(con, f'"{schema}"."{name}"')])
    return digests


def fingerprint(con: duckdb.DuckDBPyConnection, variables: dict[str, Any], code: str | None = None) -> str:
    """The fingerprint of what a dbt build on this warehouse would read now; code is code_digest(), when the caller
    has it already."""
    manifest = json.loads(warehouse_dbt_project.manifest_path.read_text(encoding="utf-8"))
    content = {
        "code": code or code_digest(),
        "vars": variables,
        "sources": sources_digest(con, source_tables(manifest)),
    }
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def run_fingerprint(con: duckdb.DuckDBPyConnection, run_id: str) -> str | None:
    """The fingerprint a dbt step of this run stored once it built, if one did. The sources cannot change between the
    steps of one run: every writer of a source is upstream of the star schema, and one run at a time works on the
    warehouse (defs/run_guard.py), so the KPI step need not hash them again."""
    for statement in STATE_DDL:
        con.execute(statement)
    row = con.execute("select fingerprint from build_state.dbt_steps where run_id = ? limit 1", [run_id]).fetchone()
    return row[0] if row else None


@dataclass(frozen=True)
class StoredBuild:
    run_id: str
    built_at: str


def done_build(con: duckdb.DuckDBPyConnection, instance: dg.DagsterInstance, current: str) -> StoredBuild | None:
    """The build that left the warehouse as the current fingerprint says, if both steps stored it in one run and
    Dagster records that run as succeeded; else None."""
    for statement in STATE_DDL:
        con.execute(statement)
    rows = con.execute("select step, fingerprint, run_id, built_at::varchar from build_state.dbt_steps").fetchall()
    stored = {step: (stored_fingerprint, run_id, built_at) for step, stored_fingerprint, run_id, built_at in rows}
    if set(stored) < set(STEPS) or len({stored[step][:2] for step in STEPS}) != 1:
        return None
    stored_fingerprint, run_id, built_at = stored[STEPS[0]]
    run = instance.get_run_by_id(run_id)
    if stored_fingerprint != current or run is None or run.status != dg.DagsterRunStatus.SUCCESS:
        return None
    return StoredBuild(run_id, built_at)


def built_with_code(con: duckdb.DuckDBPyConnection, step: str) -> str | None:
    """The code digest of the step's last whole build, None when no whole build is on record. The incremental models
    (dbt_project/macros/delivered_files.sql) keep the rows earlier builds made, so a step whose code digest moved
    builds with --full-refresh."""
    for statement in STATE_DDL:
        con.execute(statement)
    row = con.execute("select code from build_state.dbt_steps where step = ?", [step]).fetchone()
    return row[0] if row else None


def mark_reused(con: duckdb.DuckDBPyConnection, step: str, run_id: str) -> None:
    con.execute(
        "update build_state.dbt_steps set reused_by_run_id = ?, reused_at = current_timestamp where step = ?",
        [run_id, step],
    )


def forget(con: duckdb.DuckDBPyConnection, step: str) -> None:
    """Before a step builds: a build that stops half-way must not leave the earlier build's record behind."""
    for statement in STATE_DDL:
        con.execute(statement)
    con.execute("delete from build_state.dbt_steps where step = ?", [step])


def remember(con: duckdb.DuckDBPyConnection, step: str, current: str, run_id: str, code: str) -> None:
    con.execute(
        "insert or replace into build_state.dbt_steps (step, fingerprint, run_id, built_at, code) "
        "values (?, ?, ?, current_timestamp, ?)",
        [step, current, run_id, code],
    )

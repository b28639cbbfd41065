"""Check results remembered by what the check read (issue 22 item 3): a check whose inputs and version are as they
were when it last passed reports that result again instead of validating anew.

A result is stored in build_state.check_results under the check's key, with the check's version (its suite and the
code that decides it) and the digest of its inputs (row counts and summed row hashes,
orchestration/warehouse/table_digest.py). The stored result is deleted before a check validates and written, in one
transaction, only once the validation returned: a check that crashed leaves nothing behind, and the next run validates
in full. A failure is stored as one and never reported again.

A check that validates only the rows its last pass did not see stores, with each pass and in the same transaction,
the hashes of the rows it passed on (build_state.check_row_hashes, keyed by that pass's input digest); a failure
deletes them, so they are only ever read beside the pass of the same check and version they were stored with.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import duckdb

STATE_DDL = [
    "create schema if not exists build_state",
    """
    create table if not exists build_state.check_results (
        check_key varchar primary key,
        version varchar not null,
        input_digest varchar not null,
        passed boolean not null,
        description varchar not null,
        metadata json not null,
        links json not null,
        run_id varchar not null,
        validated_at timestamptz not null
    )
    """,
    """
    create table if not exists build_state.check_row_hashes (
        check_key varchar not null,
        input_digest varchar not null,
        row_hash ubigint not null
    )
    """,
]


@dataclass(frozen=True)
class Outcome:
    """What a validation found: the verdict, one sentence, and metadata (plain values; links to pages apart)."""

    passed: bool
    description: str
    metadata: dict[str, Any]
    links: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Verdict:
    """A check's result in this run: validated now, or the stored result of the run that validated these inputs."""

    outcome: Outcome
    validated_by_run: str
    validated_at: str
    input_digest: str
    reported_again: bool


Connect = Callable[..., AbstractContextManager[duckdb.DuckDBPyConnection]]
"""Opens the warehouse, for writing unless read_only=True (WarehouseResource.connect)."""


def digest(parts: object) -> str:
    """sha256 of parts as canonical JSON: a check's version or the digest of its inputs."""
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def code_digest(*paths: str | Path) -> str:
    """sha256 over the source files that decide a check's outcome, by file name and contents."""
    return digest([[Path(path).name, hashlib.sha256(Path(path).read_bytes()).hexdigest()] for path in paths])


def checked(
    connect: Connect,
    check_key: str,
    version: str,
    inputs: Callable[[duckdb.DuckDBPyConnection], str],
    run_id: str,
    validate: Callable[[Verdict | None], Outcome],
    row_hashes: Callable[[duckdb.DuckDBPyConnection], str | None] | None = None,
) -> Verdict:
    """The check's verdict: the stored pass when this version passed on inputs with the digest they have now; else
    validate(the stored pass of this version on other inputs, or None), stored once it returned, with the hashes of
    the rows it passed on when row_hashes gives a query of them (a column `row_hash`)."""
    # Read-only first: a check reported again writes nothing (a writing connection also ensures the schema).
    with connect(read_only=True) as con:
        current = inputs(con)
        earlier = _stored_pass(con, check_key, version)
    if earlier is not None and earlier.input_digest == current:
        return replace(earlier, reported_again=True)
    with connect() as con:
        for statement in STATE_DDL:
            con.execute(statement)
        con.execute("delete from build_state.check_results where check_key = ?", [check_key])
    outcome = validate(earlier)
    with connect() as con:
        con.begin()
        con.execute("delete from build_state.check_row_hashes where check_key = ?", [check_key])
        hashes = row_hashes(con) if outcome.passed and row_hashes is not None else None
        if hashes is not None:
            con.execute(
                f"insert into build_state.check_row_hashes select ?, ?, row_hash from ({hashes})",  # noqa: S608
                [check_key, current],
            )
        (validated_at,) = con.execute(
            "insert into build_state.check_results values (?, ?, ?, ?, ?, ?, ?, ?, current_timestamp) "
            "returning validated_at::varchar",
            [
                check_key,
                version,
                current,
                outcome.passed,
                outcome.description,
                json.dumps(outcome.metadata),
                json.dumps(outcome.links),
                run_id,
            ],
        ).fetchone()
        con.commit()
    return Verdict(outcome, run_id, validated_at, current, reported_again=False)


def _stored_pass(con: duckdb.DuckDBPyConnection, check_key: str, version: str) -> Verdict | None:
    (stored_yet,) = con.execute(
        "select count(*) from information_schema.tables where table_catalog = current_database() "
        "and table_schema = 'build_state' and table_name = 'check_results'"
    ).fetchone()
    if not stored_yet:
        return None
    row = con.execute(
        "select input_digest, description, metadata, links, run_id, validated_at::varchar "
        "from build_state.check_results where check_key = ? and version = ? and passed",
        [check_key, version],
    ).fetchone()
    if row is None:
        return None
    input_digest, description, metadata, links, run_id, validated_at = row
    outcome = Outcome(True, description, json.loads(metadata), json.loads(links))
    return Verdict(outcome, run_id, validated_at, input_digest, reported_again=False)

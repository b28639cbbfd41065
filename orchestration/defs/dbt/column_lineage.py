"""The star schema's column lineage, computed once per lineage key and stored in build_state (issue 22).

dagster-dbt computes a model's column lineage after dbt built it, reading the model's and its parents' columns
through dbt's adapter and running sqlglot over the compiled SQL: seconds of every star schema build
(docs/benchmarks.md). The answer depends only on what the SQL is compiled from and on the columns it reads, so the
lineage key covers the dbt code (build_state.code_digest: project files, dbt's and the adapter's versions), the vars
and the names and types of the dbt sources' columns; every other table's columns follow from those. A whole build of
the step that computed the lineage stores each table's under its asset key; a later build with the same key attaches
the stored lineage instead. Only the DuckDB target keeps it, as it keeps the rest of build_state.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import dagster as dg
import duckdb

from orchestration.defs.dbt import build_state
from orchestration.defs.dbt.table_metadata import COLUMN_LINEAGE, RELATION_TYPES, event_unique_id
from orchestration.defs.dbt.translator import translator

LINEAGE_DDL = [
    "create schema if not exists build_state",
    """
    create table if not exists build_state.column_lineage (
        asset_key varchar primary key,
        lineage_key varchar not null,
        lineage varchar not null
    )
    """,
]


def lineage_key(
    con: duckdb.DuckDBPyConnection, manifest: Mapping[str, Any], code: str, variables: Mapping[str, Any]
) -> str:
    """sha256 over the code digest, the vars and every dbt source table's columns (name and type, in order); a source
    not made yet has none."""
    sources = set(build_state.source_tables(manifest))
    rows = con.execute(
        "select table_schema, table_name, column_name, data_type from information_schema.columns "
        "where table_catalog = current_database() order by table_schema, table_name, ordinal_position"
    ).fetchall()
    columns = [list(row) for row in rows if (row[0], row[1]) in sources]
    content = {"code": code, "vars": variables, "source_columns": columns}
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def asset_keys(manifest: Mapping[str, Any]) -> dict[str, str]:
    """Per dbt node's unique id its asset key, as a string, for the nodes that leave a table or view."""
    return {
        unique_id: translator.get_asset_key(node).to_user_string()
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] in RELATION_TYPES
    }


def stored_lineage(
    con: duckdb.DuckDBPyConnection, manifest: Mapping[str, Any], key: str
) -> dict[str, dg.TableColumnLineageMetadataValue] | None:
    """Per unique id the lineage stored under key, None when none is: the step must compute it."""
    for statement in LINEAGE_DDL:
        con.execute(statement)
    rows = con.execute(
        "select asset_key, lineage from build_state.column_lineage where lineage_key = ?", [key]
    ).fetchall()
    if not rows:
        return None
    stored = dict(rows)
    return {
        unique_id: dg.deserialize_value(stored[asset_key], dg.TableColumnLineageMetadataValue)
        for unique_id, asset_key in asset_keys(manifest).items()
        if asset_key in stored
    }


def store_lineage(
    con: duckdb.DuckDBPyConnection,
    manifest: Mapping[str, Any],
    key: str,
    lineage: Mapping[str, dg.TableColumnLineageMetadataValue],
) -> None:
    """Replace everything stored with lineage (per unique id) under key, in one transaction: a table the code no
    longer builds loses its row."""
    keys = asset_keys(manifest)
    rows = [[keys[unique_id], key, dg.serialize_value(value)] for unique_id, value in lineage.items()]
    for statement in LINEAGE_DDL:
        con.execute(statement)
    con.begin()
    con.execute("delete from build_state.column_lineage")
    if rows:
        con.executemany("insert into build_state.column_lineage values (?, ?, ?)", rows)
    con.commit()


def recorded(events: Iterable, lineage: dict[str, dg.TableColumnLineageMetadataValue]) -> Iterator:
    """events, each one's column lineage put into lineage by its unique id on the way."""
    for event in events:
        value = getattr(event, "metadata", {}).get(COLUMN_LINEAGE)
        if value is not None:
            lineage[event_unique_id(event)] = value
        yield event

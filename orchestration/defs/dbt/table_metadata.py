"""Row counts and column schemas of the tables a dbt step built, on their materializations (issue 22 item 4).

dagster-dbt's fetch_row_counts and fetch_column_metadata ask the warehouse per model, through dbt's adapter, after dbt
is done: a fixed cost of every build that grows with the number of models (docs/benchmarks.md). Here one query over
information_schema.columns and one union of counts answer for every built table at once, through the same adapter, so
DuckDB and PostgreSQL take the same path. The columns carry the descriptions dbt's YAML gives them, and a column the
warehouse holds NOT NULL (a contract's not_null constraint) is shown as not nullable; a contract's unique, primary key
and check constraints, which the warehouse enforces when dbt creates the table, are shown on their columns (a unique
combination of columns on the table). Column lineage stored by an earlier build (column_lineage.py) is attached here
too.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DbtCliInvocation
from dbt.adapters.base import BaseAdapter

# Nodes that leave a table or view behind; a view's rows are not counted (counting runs its query).
RELATION_TYPES = {"model", "seed", "snapshot"}
UNCOUNTED = {"view", "ephemeral"}
COLUMN_LINEAGE = "dagster/column_lineage"


def with_table_metadata(
    events: Iterable,
    invocation: DbtCliInvocation,
    lineage: Mapping[str, dg.TableColumnLineageMetadataValue] | None = None,
) -> Iterator:
    """events, each built table's materialization with its row count and columns, and its column lineage when lineage
    (per unique id) holds one. Events are held until dbt is done, as dagster-dbt's own fetch holds them on DuckDB
    (dbt's process holds the file while it runs); the tables a failed build did make still get theirs before its error
    is raised."""
    held: list = []
    failure: Exception | None = None
    try:
        held.extend(events)
    except Exception as error:  # noqa: BLE001 - raised again below, once the built tables' events are out
        failure = error
    nodes = {node["unique_id"]: node for event in held if (node := built_relation(invocation.manifest, event))}
    metadata = table_metadata(invocation.adapter, nodes.values()) if nodes and invocation.adapter else {}
    for unique_id in nodes.keys() & (lineage or {}).keys():
        metadata.setdefault(unique_id, {})[COLUMN_LINEAGE] = lineage[unique_id]
    for event in held:
        extra = metadata.get(event_unique_id(event))
        yield event.with_metadata({**event.metadata, **extra}) if extra else event
    if failure is not None:
        raise failure


def event_unique_id(event: Any) -> str | None:
    unique_id = getattr(event, "metadata", {}).get("unique_id")
    return unique_id.value if unique_id is not None else None


def built_relation(manifest: Mapping[str, Any], event: Any) -> dict[str, Any] | None:
    """The manifest node of a materialized table or view, None for any other event (a test's result, say)."""
    if not isinstance(event, dg.Output | dg.AssetMaterialization):
        return None
    node = manifest["nodes"].get(event_unique_id(event))
    if node is None or node["resource_type"] not in RELATION_TYPES or node["config"]["materialized"] == "ephemeral":
        return None
    return node


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def table_metadata(adapter: BaseAdapter, nodes: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per node's unique id: dagster/row_count (tables only) and dagster/column_schema, in two queries."""
    nodes = list(nodes)
    by_relation = {(node["schema"].lower(), node["alias"].lower()): node for node in nodes}
    schemas = ", ".join(literal(schema) for schema in sorted({schema for schema, _ in by_relation}))
    columns_query = (
        "select table_schema, table_name, column_name, data_type, is_nullable from information_schema.columns "  # noqa: S608 - manifest's names
        f"where table_catalog = current_database() and lower(table_schema) in ({schemas}) "
        "order by table_schema, table_name, ordinal_position"
    )
    counted = [node for node in nodes if node["config"]["materialized"] not in UNCOUNTED]
    counts_query = " union all ".join(
        f"select {literal(node['unique_id'])} as unique_id, count(*) as row_count from {node['relation_name']}"  # noqa: S608 - manifest's names
        for node in counted
    )
    with adapter.connection_named("table_metadata"):
        _, column_rows = adapter.execute(columns_query, fetch=True)
        _, count_rows = adapter.execute(counts_query, fetch=True) if counted else (None, [])
    descriptions = {
        node["unique_id"]: {name.lower(): column.get("description") for name, column in node["columns"].items()}
        for node in nodes
    }
    columns: dict[str, list[dg.TableColumn]] = {}
    for schema, table, name, data_type, is_nullable in column_rows:
        if (node := by_relation.get((schema.lower(), table.lower()))) is not None:
            description = descriptions[node["unique_id"]].get(name.lower()) or None
            constraints = _column_constraints(node, name, nullable=is_nullable != "NO")
            columns.setdefault(node["unique_id"], []).append(dg.TableColumn(name, data_type, description, constraints))
    row_counts = {unique_id: int(rows) for unique_id, rows in count_rows}
    metadata: dict[str, dict[str, Any]] = {}
    for node in nodes:
        unique_id = node["unique_id"]
        metadata[unique_id] = {}
        if unique_id in row_counts:
            metadata[unique_id]["dagster/row_count"] = row_counts[unique_id]
        if unique_id in columns:
            metadata[unique_id]["dagster/column_schema"] = _schema(node, columns[unique_id])
    return metadata


UNIQUE = {"unique", "primary_key"}


def _column_constraints(node: dict[str, Any], column: str, nullable: bool) -> dg.TableColumnConstraints | None:
    declared = next((c for name, c in node["columns"].items() if name.lower() == column.lower()), {})
    kinds = declared.get("constraints") or []
    unique = any(constraint["type"] in UNIQUE for constraint in kinds)
    checks = [f"check ({constraint['expression']})" for constraint in kinds if constraint["type"] == "check"]
    if nullable and not unique and not checks:
        return None
    return dg.TableColumnConstraints(nullable=nullable, unique=unique, other=checks)


def _schema(node: dict[str, Any], columns: list[dg.TableColumn]) -> dg.TableSchema:
    combinations = [
        f"unique ({', '.join(constraint['columns'])})"
        for constraint in node.get("constraints") or []
        if constraint["type"] in UNIQUE
    ]
    constraints = dg.TableConstraints(other=combinations) if combinations else None
    return dg.TableSchema(columns=columns, constraints=constraints)

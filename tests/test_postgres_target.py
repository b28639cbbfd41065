"""dbt-postgres builds the same models as dbt-duckdb, with the same results (issue 21).

The shipped sample's run (the session fixture sample_run) leaves a DuckDB warehouse. Every table its dbt sources read
is copied into a throw-away PostgreSQL database, `dbt build --target postgres` runs through dagster-dbt with the
settings a run would export (WAREHOUSE_TARGET=postgres and the PG* variables), and every model of the marts and the
publication tiers is compared row for row with the DuckDB warehouse. The steering worlds, whose cost variance the
one-year sample cannot give, are compared the same way.

Doubles are compared to nine significant digits (relative 1e-9), everything else exactly. PostgreSQL divides
numerics in decimal and then converts to a double where DuckDB divides doubles, and a sum of doubles depends on the
order of its terms: the two targets agree to 13 digits or more on the sample, not to the last bit. Nine digits is far
beyond what any figure shows (two decimals) and far below any real difference. A tolerance, not rounding both sides:
two values a hair apart can round apart at a rounding boundary.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb
import psycopg
import pytest
from dagster_dbt import DbtCliInvocation, DbtCliResource
from psycopg import sql

from orchestration.defs.dbt.assets import dbt_vars
from orchestration.defs.dbt.project import warehouse_dbt_project
from orchestration.defs.resources import WarehouseResource
from orchestration.serving.cluster import SUPERUSER
from orchestration.serving.load import Column
from orchestration.settings import PostgresSettings, Settings, SettingsError
from tests.steering_dbt import query

# The marts and the publication tiers (public, analyst, audit), the schemas BI tools and analysts read.
COMPARED_SCHEMAS = ("marts", "public_marts", "analyst", "audit_tier")
DATABASE = "dbt_postgres_target"
RELATIVE_TOLERANCE = 1e-9
# Exported by WarehouseResource.export_for_dbt; registered with monkeypatch so the tests leave them as they were.
EXPORTED_VARIABLES = (
    "WAREHOUSE_TARGET",
    "WAREHOUSE_DUCKDB_PATH",
    "WAREHOUSE_DUCKDB_MEMORY_LIMIT",
    "WAREHOUSE_DBT_THREADS",
    "PGHOST",
    "PGPORT",
    "PGUSER",
    "PGPASSWORD",
    "PGDATABASE",
)


def manifest() -> dict[str, Any]:
    return json.loads(warehouse_dbt_project.manifest_path.read_text(encoding="utf-8"))


def source_tables(nodes: dict[str, Any]) -> list[tuple[str, str]]:
    """(schema, table) of every dbt source a built model reads: what the models read from outside dbt. The close
    models (models/close), and the close history they read, exist only in a quarterly close's own build."""
    read = {parent for node in nodes["nodes"].values() for parent in node.get("depends_on", {}).get("nodes", [])}
    return sorted({(source["schema"], source["identifier"]) for key, source in nodes["sources"].items() if key in read})


def compared_models(nodes: dict[str, Any]) -> list[tuple[str, str]]:
    """(schema, relation) of every model built in a compared schema."""
    return sorted(
        (node["schema"], node["alias"])
        for node in nodes["nodes"].values()
        if node["resource_type"] == "model" and node["schema"] in COMPARED_SCHEMAS
    )


def copy_table(duck: duckdb.DuckDBPyConnection, pg: psycopg.Connection, schema: str, table: str) -> int:
    """Create `schema.table` in PostgreSQL with the DuckDB table's columns (types as the serving load maps them) and
    copy its rows; the number of rows."""
    columns = [
        Column(name, data_type)
        for name, data_type in duck.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = ? and table_name = ? order by ordinal_position",
            [schema, table],
        ).fetchall()
    ]
    assert columns, f"{schema}.{table} is not in the DuckDB warehouse"
    target = sql.Identifier(schema, table)
    pg.execute(sql.SQL("create schema if not exists {}").format(sql.Identifier(schema)))
    pg.execute(
        sql.SQL("create table {} ({})").format(
            target,
            sql.SQL(", ").join(
                sql.SQL("{} {}").format(sql.Identifier(column.name), sql.SQL(column.postgres_type))
                for column in columns
            ),
        )
    )
    rows = duck.execute(f'select * from "{schema}"."{table}"').fetchall()
    with pg.cursor().copy(sql.SQL("copy {} from stdin").format(target)) as copy:
        for row in rows:
            copy.write_row(row)
    return len(rows)


def column_names(duck: duckdb.DuckDBPyConnection, schema: str, table: str) -> list[str]:
    return [
        name
        for (name,) in duck.execute(
            "select column_name from information_schema.columns "
            "where table_schema = ? and table_name = ? order by ordinal_position",
            [schema, table],
        ).fetchall()
    ]


def sort_key(row: Sequence[Any]) -> tuple:
    # Doubles to six digits for the order only, so rows that differ in a double's last bits sort alike.
    return tuple((value is None, f"{value:.6g}" if isinstance(value, float) else str(value)) for value in row)


def values_match(duckdb_value: Any, postgres_value: Any) -> bool:
    if isinstance(duckdb_value, float) and isinstance(postgres_value, float):
        return math.isclose(duckdb_value, postgres_value, rel_tol=RELATIVE_TOLERANCE, abs_tol=RELATIVE_TOLERANCE)
    return type(duckdb_value) is type(postgres_value) and duckdb_value == postgres_value


def row_differences(duckdb_rows: list[tuple], postgres_rows: list[tuple], limit: int = 3) -> list[str]:
    """The first rows that differ between the two targets, each as 'duckdb ... != postgres ...'; none when every
    row matches (doubles within RELATIVE_TOLERANCE, everything else equal and of the same Python type)."""
    if len(duckdb_rows) != len(postgres_rows):
        return [f"{len(duckdb_rows)} rows on duckdb, {len(postgres_rows)} on postgres"]
    differences = []
    for duckdb_row, postgres_row in zip(
        sorted(duckdb_rows, key=sort_key), sorted(postgres_rows, key=sort_key), strict=True
    ):
        if not all(map(values_match, duckdb_row, postgres_row)):
            differences.append(f"duckdb {duckdb_row} != postgres {postgres_row}")
            if len(differences) == limit:
                break
    return differences


def copy_tables(duckdb_path: Path, conninfo: str, tables: Sequence[tuple[str, str]]) -> dict[str, int]:
    """Copy `tables` from the DuckDB file into the PostgreSQL database; rows copied per 'schema.table'."""
    duck = duckdb.connect(str(duckdb_path), read_only=True)
    try:
        with psycopg.connect(conninfo) as pg:
            return {f"{schema}.{table}": copy_table(duck, pg, schema, table) for schema, table in tables}
    finally:
        duck.close()


def build_on_postgres(cluster, database: str, arguments: list[str], target_path: Path) -> DbtCliInvocation:
    """`dbt build` with `arguments` on the postgres target in `database`, the profile's variables exported from the
    settings as a run exports them (WarehouseResource.export_for_dbt); the finished invocation."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        for name in EXPORTED_VARIABLES:
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("WAREHOUSE_TARGET", "postgres")
        monkeypatch.setenv("PGHOST", str(cluster.socket_dir))
        monkeypatch.setenv("PGPORT", str(cluster.port))
        monkeypatch.setenv("PGUSER", SUPERUSER)
        monkeypatch.setenv("PGDATABASE", database)
        WarehouseResource().export_for_dbt()
        dbt = DbtCliResource(project_dir=warehouse_dbt_project)
        return dbt.cli(["build", *arguments], raise_on_error=False, target_path=target_path).wait()


def failures(invocation: DbtCliInvocation) -> dict[str, str]:
    """Every node of the invocation that did not succeed or pass, with dbt's message."""
    results = invocation.get_artifact("run_results.json")["results"]
    # Exposures are documentation only: dbt reports them as no-ops.
    return {
        result["unique_id"]: result["message"]
        for result in results
        if result["status"] not in ("success", "pass") and not result["unique_id"].startswith("exposure.")
    }


def model_differences(duckdb_path: Path, conninfo: str, models: Sequence[tuple[str, str]]) -> tuple[dict, int]:
    """Per model that differs between the DuckDB file and the PostgreSQL database, its first differences; and the
    number of rows compared."""
    differences: dict[str, list[str]] = {}
    rows_compared = 0
    duck = duckdb.connect(str(duckdb_path), read_only=True)
    try:
        with psycopg.connect(conninfo) as pg:
            for schema, table in models:
                columns = column_names(duck, schema, table)
                postgres_columns = [
                    name
                    for (name,) in pg.execute(
                        "select column_name from information_schema.columns "
                        "where table_schema = %s and table_name = %s order by ordinal_position",
                        [schema, table],
                    ).fetchall()
                ]
                if postgres_columns != columns:
                    differences[f"{schema}.{table}"] = [f"columns {columns} on duckdb, {postgres_columns} on postgres"]
                    continue
                select = f'select {", ".join(columns)} from "{schema}"."{table}"'
                duckdb_rows = duck.execute(select).fetchall()
                if found := row_differences(duckdb_rows, pg.execute(select).fetchall()):
                    differences[f"{schema}.{table}"] = found
                rows_compared += len(duckdb_rows)
    finally:
        duck.close()
    return differences, rows_compared


def report(differences: dict[str, list[str]]) -> str:
    return "\n".join(f"{model}: {found}" for model, found in differences.items())


@pytest.fixture(scope="module")
def postgres_build(sample_run, postgres_cluster, tmp_path_factory):
    """The sample's sources copied into a new database of the session's cluster, and `dbt build` of every model on
    it; the copied row counts and dagster-dbt's invocation."""
    nodes = manifest()
    postgres_cluster.create_database(DATABASE)
    copied = copy_tables(sample_run["db"], postgres_cluster.conninfo(dbname=DATABASE), source_tables(nodes))
    vars_of_the_run = json.dumps(dbt_vars(WarehouseResource()))
    invocation = build_on_postgres(
        postgres_cluster, DATABASE, ["--vars", vars_of_the_run], tmp_path_factory.mktemp("dbt_postgres_target")
    )
    return {"nodes": nodes, "copied": copied, "invocation": invocation}


def test_dbt_builds_every_node_on_postgres(postgres_build):
    assert postgres_build["copied"]["raw.ijw_declaration_lines"] > 0
    invocation = postgres_build["invocation"]
    failed = failures(invocation)
    assert invocation.is_successful() and not failed, failed
    built = {result["unique_id"] for result in invocation.get_artifact("run_results.json")["results"]}
    expected = {
        unique_id
        for unique_id, node in postgres_build["nodes"]["nodes"].items()
        if node["resource_type"] in ("model", "seed")
    }
    assert expected <= built, f"not built on postgres: {sorted(expected - built)}"


def test_every_mart_and_tier_model_is_the_same_on_both_targets(postgres_build, sample_run, postgres_cluster):
    models = compared_models(postgres_build["nodes"])
    assert {("marts", "kpi_values"), ("public_marts", "kpi_values")} <= set(models)
    differences, rows_compared = model_differences(sample_run["db"], postgres_cluster.conninfo(dbname=DATABASE), models)
    assert not differences, report(differences)
    assert rows_compared > 10_000


def test_the_steering_models_are_the_same_on_both_targets(steering_world, postgres_cluster, tmp_path):
    """The sample spans one year, so its cost_variance is empty: the steering worlds (tests/steering_worlds.py) give
    it rows, with credits, mixed units and care forms that come and go, and its cents are split by remainders."""
    nodes = manifest()["nodes"]
    steering = {
        unique_id
        for unique_id, node in nodes.items()
        if node["resource_type"] == "model" and "steering" in node["tags"]
    }
    # What the steering models and their tests read: a test may read a dimension the model does not.
    readers = [
        node
        for unique_id, node in nodes.items()
        if unique_id in steering or (node["resource_type"] == "test" and steering & set(node["depends_on"]["nodes"]))
    ]
    inputs = sorted(
        {
            (nodes[parent]["schema"], nodes[parent]["alias"])
            for node in readers
            for parent in node["depends_on"]["nodes"]
            if parent not in steering
        }
    )
    database = "dbt_postgres_steering"
    postgres_cluster.create_database(database)
    copy_tables(steering_world, postgres_cluster.conninfo(dbname=database), inputs)
    # The world was built with the project's default vars (tests/steering_worlds.py), so this build passes none.
    invocation = build_on_postgres(postgres_cluster, database, ["--select", "tag:steering"], tmp_path)
    assert invocation.is_successful() and not failures(invocation), failures(invocation)
    # Intermediate models have no contract: a sum of bigints is a hugeint on DuckDB and a numeric on PostgreSQL.
    models = sorted(
        (nodes[unique_id]["schema"], nodes[unique_id]["alias"])
        for unique_id in steering
        if nodes[unique_id]["schema"] in COMPARED_SCHEMAS
    )
    assert ("marts", "cost_variance") in models
    differences, rows_compared = model_differences(steering_world, postgres_cluster.conninfo(dbname=database), models)
    assert not differences, report(differences)
    assert query(steering_world, "select count(*) from marts.cost_variance")[0][0] > 0
    assert rows_compared > 0


def test_row_comparison_tells_a_real_difference_from_float_noise():
    assert row_differences([(1, "a", 0.1 + 0.2)], [(1, "a", 0.3)]) == []
    assert row_differences([(1, "a", 0.3)], [(1, "a", 0.3000001)]) != []
    assert row_differences([(1, "a", 0.3)], [(2, "a", 0.3)]) != []
    # An integer on one target and a decimal or double on the other is a difference of type, not of value.
    assert row_differences([(1, "a", 0.3)], [(1.0, "a", 0.3)]) != []
    assert row_differences([(1, "a")], [(1, "a"), (1, "a")]) != []


def test_postgres_settings_reach_dbt_only_for_the_postgres_target(monkeypatch):
    for name in EXPORTED_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PGHOST", "/run/postgresql")
    monkeypatch.setenv("PGPORT", "5444")
    WarehouseResource().export_for_dbt()
    assert "PGDATABASE" not in os.environ
    assert os.environ["WAREHOUSE_DBT_THREADS"] == "1"
    monkeypatch.setenv("WAREHOUSE_TARGET", "postgres")
    WarehouseResource().export_for_dbt()
    assert Settings.from_env().postgres == PostgresSettings(host="/run/postgresql", port=5444)
    assert {name: os.environ.get(name) for name in ("PGHOST", "PGPORT", "PGUSER", "PGDATABASE")} == {
        "PGHOST": "/run/postgresql",
        "PGPORT": "5444",
        "PGUSER": "loader",
        "PGDATABASE": "warehouse",
    }
    monkeypatch.setenv("PGPORT", "fifty")
    with pytest.raises(SettingsError, match="PGPORT must be a whole number"):
        Settings.from_env()

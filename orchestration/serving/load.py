"""Load the publication tiers of the DuckDB warehouse into the PostgreSQL serving database, all or nothing.

Every table of the DuckDB schemas public_marts, analyst and audit_tier is copied (DuckDB writes CSV, PostgreSQL
reads it with COPY; indexed on its dbt grain, analyzed) into a loading schema beside the served one; then, in the
same transaction, the served schemas are dropped and the loading schemas renamed over them, and roles, grants and
row-level security are set again
(orchestration/serving/roles.py). A BI query therefore sees the previous refresh or the new one, never a part; a load
that fails anywhere, the connection killed included, rolls back and leaves the previous tiers served.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import psycopg
from psycopg import sql

from orchestration.serving import roles

TIERS = {"public_marts": "public_marts", "analyst": "analyst", "audit_tier": "audit"}
"""DuckDB schema -> PostgreSQL schema. `audit` in DuckDB is the raw ingest ledger, hence audit_tier there."""
LOADING_SUFFIX = "__loading"
APPLICATION_NAME = "jeugdhulp-serving-loader"
"""The loader's application_name in pg_stat_activity."""
# Refreshes queue behind one another instead of colliding on the loading schemas' names.
PUBLISH_LOCK_KEY = 2_021_021
# The swap takes every served table at once or waits and tries again, so it never holds some tables while a BI query
# holding others waits for them (a deadlock PostgreSQL would break by failing one of the two).
SWAP_LOCK_TIMEOUT = "200ms"
SWAP_LOCK_ATTEMPTS = 300
COPY_CHUNK_BYTES = 1 << 20
FILTER_INDEXES = (("kpi_id", "scope_type", "period_type"), ("region_code", "period"), ("period",), ("provider_agb",))
"""Besides the grain, what dashboards filter by: one KPI's series for a scope type, a region's rows of a period, the
latest period, a provider's rows (row-level security); each index made where the table has its columns."""

SCALAR_TYPES = {
    "BOOLEAN": "boolean",
    "TINYINT": "smallint",
    "SMALLINT": "smallint",
    "INTEGER": "integer",
    "BIGINT": "bigint",
    "HUGEINT": "numeric(39, 0)",
    "UTINYINT": "smallint",
    "USMALLINT": "integer",
    "UINTEGER": "bigint",
    "UBIGINT": "numeric(20, 0)",
    "UHUGEINT": "numeric(39, 0)",
    "FLOAT": "real",
    "DOUBLE": "double precision",
    "VARCHAR": "text",
    "DATE": "date",
    "TIME": "time",
    "TIME WITH TIME ZONE": "timetz",
    "TIMESTAMP": "timestamp",
    "TIMESTAMP_S": "timestamp",
    "TIMESTAMP_MS": "timestamp",
    "TIMESTAMP_NS": "timestamp",
    "TIMESTAMP WITH TIME ZONE": "timestamptz",
    "INTERVAL": "interval",
    "UUID": "uuid",
    "BLOB": "bytea",
    "JSON": "jsonb",
}
DECIMAL = re.compile(r"DECIMAL\((\d+),\s*(\d+)\)")


class ServingLoadError(RuntimeError):
    """The tiers could not be served; the previous tiers stay in place."""


@dataclass(frozen=True)
class Column:
    name: str
    duckdb_type: str

    @property
    def postgres_type(self) -> str:
        if self.duckdb_type in SCALAR_TYPES:
            return SCALAR_TYPES[self.duckdb_type]
        if match := DECIMAL.fullmatch(self.duckdb_type):
            return f"numeric({match[1]}, {match[2]})"
        if self.duckdb_type.startswith("ENUM("):
            return "text"
        # Lists, structs and maps have no one PostgreSQL type; as JSON a BI tool can still read them.
        if self.duckdb_type.endswith("]") or self.duckdb_type.startswith(("STRUCT(", "MAP(", "UNION(")):
            return "jsonb"
        raise ServingLoadError(f"column {self.name}: DuckDB type {self.duckdb_type} has no PostgreSQL mapping here")

    @property
    def export_expression(self) -> str:
        """The column as DuckDB writes it for PostgreSQL's CSV COPY."""
        quoted = '"' + self.name.replace('"', '""') + '"'
        if self.postgres_type == "jsonb" and self.duckdb_type != "JSON":
            return f"to_json({quoted})"
        if self.postgres_type == "bytea":
            return f"'\\x' || hex({quoted})"
        return quoted


@dataclass(frozen=True)
class Table:
    duckdb_schema: str
    name: str
    columns: tuple[Column, ...]

    @property
    def postgres_schema(self) -> str:
        return TIERS[self.duckdb_schema]

    @property
    def column_names(self) -> set[str]:
        return {column.name for column in self.columns}


@dataclass(frozen=True)
class LoadedTable:
    schema: str
    name: str
    rows: int


@dataclass(frozen=True)
class DbtDocs:
    """What dbt's manifest says of the tier models, by (DuckDB schema, table): their descriptions, and their grain
    (the columns a `unique` or `unique_combination` test declares unique), which the loader indexes for BI lookups."""

    tables: dict[tuple[str, str], str]
    columns: dict[tuple[str, str], dict[str, str]]
    grains: dict[tuple[str, str], tuple[str, ...]]

    @classmethod
    def from_manifest(cls, manifest_path: Path | None) -> DbtDocs:
        """None of it when there is no manifest (the tables are then served uncommented and unindexed)."""
        if manifest_path is None or not manifest_path.exists():
            return cls({}, {}, {})
        nodes = json.loads(manifest_path.read_text())["nodes"]
        keys = {
            unique_id: (node["schema"], node.get("alias") or node["name"])
            for unique_id, node in nodes.items()
            if node["resource_type"] == "model" and node["schema"] in TIERS
        }
        tables = {keys[unique_id]: nodes[unique_id].get("description") or "" for unique_id in keys}
        columns = {
            keys[unique_id]: {
                name: column.get("description") or "" for name, column in nodes[unique_id]["columns"].items()
            }
            for unique_id in keys
        }
        grains: dict[tuple[str, str], tuple[str, ...]] = {}
        for node in nodes.values():
            test = node.get("test_metadata") or {}
            model = keys.get(node.get("attached_node") or "")
            if node["resource_type"] != "test" or model is None:
                continue
            if test.get("name") == "unique_combination":
                grains.setdefault(model, tuple(test["kwargs"]["columns"]))
            elif test.get("name") == "unique" and node.get("column_name"):
                grains.setdefault(model, (node["column_name"],))
        return cls(tables, columns, grains)


def tier_tables(duckdb_con: duckdb.DuckDBPyConnection) -> list[Table]:
    """Every table and view of the tier schemas, columns in their order."""
    rows = duckdb_con.execute(
        """
        select table_schema, table_name, column_name, data_type
        from information_schema.columns
        where table_catalog = current_database() and table_schema in (select unnest($schemas))
        order by table_schema, table_name, ordinal_position
        """,
        {"schemas": list(TIERS)},
    ).fetchall()
    tables: dict[tuple[str, str], list[Column]] = {}
    for schema, table, column, data_type in rows:
        tables.setdefault((schema, table), []).append(Column(column, data_type))
    return [Table(schema, name, tuple(columns)) for (schema, name), columns in tables.items()]


def publish_tiers(
    duckdb_path: Path,
    conninfo: str,
    manifest_path: Path | None = None,
    provider_region_rows: bool = True,
) -> list[LoadedTable]:
    """Serve every tier table of the DuckDB file at `duckdb_path` from the PostgreSQL database at `conninfo` (the
    loader's), replacing the served tiers in one transaction; the loaded tables with their row counts."""
    docs = DbtDocs.from_manifest(manifest_path)
    duckdb_con = duckdb.connect(str(duckdb_path), read_only=True)
    try:
        duckdb_con.execute("set TimeZone = 'UTC'")
        tables = tier_tables(duckdb_con)
        missing = sorted(set(TIERS) - {table.duckdb_schema for table in tables})
        if missing:
            raise ServingLoadError(
                f"the warehouse {duckdb_path} has no tables in schema(s) {', '.join(missing)}: run the pipeline "
                "(make run) before serving"
            )
        with tempfile.TemporaryDirectory(prefix="serving-") as export_dir:
            return _publish(duckdb_con, Path(export_dir), tables, conninfo, docs, provider_region_rows)
    finally:
        duckdb_con.close()


def _publish(
    duckdb_con: duckdb.DuckDBPyConnection,
    export_dir: Path,
    tables: list[Table],
    conninfo: str,
    docs: DbtDocs,
    provider_region_rows: bool,
) -> list[LoadedTable]:
    loaded: list[LoadedTable] = []
    step = "connecting"
    try:
        with psycopg.connect(conninfo, application_name=APPLICATION_NAME) as pg, pg.transaction():
            pg.execute("select pg_advisory_xact_lock(%s)", [PUBLISH_LOCK_KEY])
            for schema in TIERS.values():
                loading = sql.Identifier(schema + LOADING_SUFFIX)
                pg.execute(sql.SQL("drop schema if exists {} cascade").format(loading))
                pg.execute(sql.SQL("create schema {}").format(loading))
            for table in tables:
                step = f"loading {table.postgres_schema}.{table.name}"
                rows = _load_table(duckdb_con, export_dir, pg, table)
                _comment(pg, table, docs)
                _index_and_analyze(pg, table, docs)
                loaded.append(LoadedTable(table.postgres_schema, table.name, rows))
            step = "swapping the served schemas"
            _lock_served_tables(pg)
            for schema in TIERS.values():
                pg.execute(sql.SQL("drop schema if exists {} cascade").format(sql.Identifier(schema)))
                pg.execute(
                    sql.SQL("alter schema {} rename to {}").format(
                        sql.Identifier(schema + LOADING_SUFFIX), sql.Identifier(schema)
                    )
                )
            step = "granting the roles"
            roles.grant(pg, provider_region_rows)
    except (psycopg.Error, ServingLoadError) as error:
        raise ServingLoadError(
            f"serving the tiers from PostgreSQL failed while {step}; nothing was changed, the previous tiers stay "
            f"served: {error}"
        ) from error
    return loaded


def _lock_served_tables(pg: psycopg.Connection) -> None:
    served = pg.execute(
        "select schemaname, tablename from pg_tables where schemaname = any(%s) order by 1, 2", [list(TIERS.values())]
    ).fetchall()
    if not served:
        return
    lock = sql.SQL("lock table {} in access exclusive mode").format(
        sql.SQL(", ").join(sql.Identifier(schema, table) for schema, table in served)
    )
    for _attempt in range(SWAP_LOCK_ATTEMPTS):
        try:
            with pg.transaction():
                pg.execute(sql.SQL("set local lock_timeout = {}").format(sql.Literal(SWAP_LOCK_TIMEOUT)))
                pg.execute(lock)
                pg.execute("set local lock_timeout = 0")
                return
        except psycopg.errors.LockNotAvailable:
            continue
    raise ServingLoadError(
        f"BI queries held the served tables through {SWAP_LOCK_ATTEMPTS} tries of {SWAP_LOCK_TIMEOUT} each"
    )


def _load_table(duckdb_con: duckdb.DuckDBPyConnection, export_dir: Path, pg: psycopg.Connection, table: Table) -> int:
    target = sql.Identifier(table.postgres_schema + LOADING_SUFFIX, table.name)
    column_names = sql.SQL(", ").join(sql.Identifier(column.name) for column in table.columns)
    definitions = sql.SQL(", ").join(
        sql.SQL("{} {}").format(sql.Identifier(column.name), sql.SQL(column.postgres_type)) for column in table.columns
    )
    pg.execute(sql.SQL("create table {} ({})").format(target, definitions))
    csv_path = export_dir / f"{table.duckdb_schema}.{table.name}.csv"
    source = '"' + table.duckdb_schema + '"."' + table.name.replace('"', '""') + '"'
    expressions = ", ".join(column.export_expression for column in table.columns)
    # DuckDB writes NULL unquoted and empty and an empty string as "", as PostgreSQL's CSV format reads them.
    duckdb_con.execute(f"copy (select {expressions} from {source}) to '{csv_path}' (format csv, header false)")
    cursor = pg.cursor()
    with cursor.copy(sql.SQL("copy {} ({}) from stdin (format csv)").format(target, column_names)) as copy:
        for chunk in _chunks(csv_path):
            copy.write(chunk)
    csv_path.unlink()
    return cursor.rowcount


def _chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as file:
        while chunk := file.read(COPY_CHUNK_BYTES):
            yield chunk


def _comment(pg: psycopg.Connection, table: Table, docs: DbtDocs) -> None:
    key = (table.duckdb_schema, table.name)
    target = sql.Identifier(table.postgres_schema + LOADING_SUFFIX, table.name)
    if docs.tables.get(key):
        pg.execute(sql.SQL("comment on table {} is {}").format(target, sql.Literal(docs.tables[key])))
    column_descriptions = docs.columns.get(key, {})
    for column in table.columns:
        if column_descriptions.get(column.name):
            pg.execute(
                sql.SQL("comment on column {}.{} is {}").format(
                    target, sql.Identifier(column.name), sql.Literal(column_descriptions[column.name])
                )
            )


def _index_and_analyze(pg: psycopg.Connection, table: Table, docs: DbtDocs) -> None:
    """Indexes on the table's grain and its FILTER_INDEXES columns, and fresh statistics: the swapped-in tables are
    new to the planner."""
    target = sql.Identifier(table.postgres_schema + LOADING_SUFFIX, table.name)
    grain = docs.grains.get((table.duckdb_schema, table.name), ())
    for columns in dict.fromkeys([grain, *FILTER_INDEXES]):
        if columns and set(columns) <= table.column_names:
            names = sql.SQL(", ").join(map(sql.Identifier, columns))
            pg.execute(sql.SQL("create index on {} ({})").format(target, names))
    pg.execute(sql.SQL("analyze {}").format(target))

"""The row counts and columns the dbt steps put on their materializations (orchestration/defs/dbt/table_metadata.py),
on a small DuckDB file read through a stand-in for dbt's adapter; expected values are written out by hand. The shared
sample run checks every table of a real build (tests/test_ui_metadata.py)."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import dagster as dg
import duckdb
import pytest

from orchestration.defs.dbt.table_metadata import with_table_metadata


@dataclass
class Adapter:
    """What table_metadata asks of dbt's adapter: a named connection and execute(sql, fetch=True)."""

    con: duckdb.DuckDBPyConnection

    def connection_named(self, name: str) -> contextlib.AbstractContextManager:
        return contextlib.nullcontext()

    def execute(self, sql: str, fetch: bool) -> tuple[None, list[tuple]]:
        return None, self.con.execute(sql).fetchall()


@dataclass
class Invocation:
    manifest: dict
    adapter: Adapter


def node(
    name: str, materialized: str, columns: dict[str, str], column_constraints: dict[str, list] | None = None, **model
) -> dict:
    """A manifest node; constraints per column as the manifest lists them, model-level ones in model."""
    return {
        "unique_id": f"model.p.{name}",
        "resource_type": "model",
        "schema": "marts",
        "alias": name,
        "relation_name": f'"w"."marts"."{name}"',
        "config": {"materialized": materialized},
        "columns": {
            column: {"description": text, "constraints": (column_constraints or {}).get(column, [])}
            for column, text in columns.items()
        },
        **model,
    }


@pytest.fixture
def invocation(tmp_path) -> Invocation:
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute("create schema marts")
    con.execute("create table marts.facts (id integer not null, cents bigint, kind varchar)")
    con.execute("insert into marts.facts values (1, 10, 'D'), (2, 20, 'D'), (3, 30, 'C')")
    con.execute("create view marts.totals as select sum(cents) as cents from marts.facts")
    con.execute("create table marts.other (id integer)")
    nodes = [
        node(
            "facts",
            "table",
            {"id": "The line.", "cents": "Signed amount.", "kind": "D or C."},
            {
                "id": [{"type": "not_null"}, {"type": "primary_key"}],
                "kind": [{"type": "check", "expression": "kind in ('D', 'C')"}],
            },
            constraints=[{"type": "unique", "columns": ["cents", "kind"]}],
        ),
        node("totals", "view", {}),
        node("other", "table", {}),
    ]
    return Invocation({"nodes": {n["unique_id"]: n for n in nodes}}, Adapter(con))


def output(name: str) -> dg.Output:
    return dg.Output(None, output_name=name, metadata={"unique_id": f"model.p.{name}", "kept": 1})


def test_built_tables_get_their_row_count_and_documented_columns_with_nullability_and_views_no_count(invocation):
    facts, totals, check = output("facts"), output("totals"), dg.AssetCheckResult(passed=True, check_name="c")
    events = list(with_table_metadata([facts, totals, check], invocation))
    assert events[2] is check
    assert events[0].metadata["dagster/row_count"].value == 3
    assert events[0].metadata["kept"].value == 1
    shown = events[0].metadata["dagster/column_schema"].value.columns
    assert [(c.name, c.type, c.description, c.constraints.nullable) for c in shown] == [
        ("id", "INTEGER", "The line.", False),
        ("cents", "BIGINT", "Signed amount.", True),
        ("kind", "VARCHAR", "D or C.", True),
    ]
    assert "dagster/row_count" not in events[1].metadata
    assert [(c.name, c.description) for c in events[1].metadata["dagster/column_schema"].value.columns] == [
        ("cents", None)
    ]


def test_a_contract_s_unique_and_check_constraints_are_shown_on_their_columns_and_table(invocation):
    (facts,) = with_table_metadata([output("facts")], invocation)
    schema = facts.metadata["dagster/column_schema"].value
    shown = {c.name: (c.constraints.nullable, c.constraints.unique, c.constraints.other) for c in schema.columns}
    assert shown == {
        "id": (False, True, []),
        "cents": (True, False, []),
        "kind": (True, False, ["check (kind in ('D', 'C'))"]),
    }
    assert schema.constraints.other == ["unique (cents, kind)"]


def test_a_failed_build_still_yields_its_built_tables_with_metadata_then_raises(invocation):
    def failing():
        yield output("facts")
        raise RuntimeError("dbt failed")

    yielded = []
    with pytest.raises(RuntimeError, match="dbt failed"):
        yielded.extend(with_table_metadata(failing(), invocation))
    assert [event.metadata["dagster/row_count"].value for event in yielded] == [3]


def test_lineage_given_per_unique_id_goes_onto_built_tables_only(invocation):
    dep = dg.TableColumnDep(asset_key=dg.AssetKey(["raw", "lines"]), column_name="cents")
    lineage = dg.MetadataValue.column_lineage(dg.TableColumnLineage(deps_by_column={"cents": [dep]}))
    check = dg.AssetCheckResult(passed=True, check_name="c", metadata={"unique_id": "test.p.not_null_facts_id"})
    facts, totals, _ = with_table_metadata(
        [output("facts"), output("totals"), check], invocation, {"model.p.facts": lineage}
    )
    assert facts.metadata["dagster/column_lineage"] == lineage
    assert facts.metadata["dagster/row_count"].value == 3
    assert "dagster/column_lineage" not in totals.metadata

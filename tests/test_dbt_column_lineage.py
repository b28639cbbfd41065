"""The star schema's column lineage, computed once per lineage key and stored (defs/dbt/column_lineage.py).

The shared sample's first run computes it (no lineage stored yet) and stores it; its second run builds the same code
over the same source columns, so it attaches the stored lineage: every star-schema table must show exactly what the
first run computed. The unit tests show what moves the lineage key, and that a key without stored lineage makes the
step compute it again.
"""

from __future__ import annotations

import json

import dagster as dg
import duckdb
import pytest

from orchestration.defs.dbt import build_state
from orchestration.defs.dbt.column_lineage import asset_keys, lineage_key, store_lineage, stored_lineage
from orchestration.defs.dbt.project import warehouse_dbt_project
from orchestration.defs.dbt.table_metadata import COLUMN_LINEAGE

FACTS = dg.AssetKey(["marts", "fct_declaration_line"])


def lineage_by_asset(
    run: dg.ExecuteInProcessResult, step: dg.AssetsDefinition
) -> dict[dg.AssetKey, dg.TableColumnLineageMetadataValue]:
    """Per table of the star schema step that shows column lineage, its lineage."""
    return {
        event.asset_key: event.materialization.metadata[COLUMN_LINEAGE]
        for event in run.get_asset_materialization_events()
        if event.asset_key in step.keys and COLUMN_LINEAGE in event.materialization.metadata
    }


def manifest() -> dict:
    return json.loads(warehouse_dbt_project.manifest_path.read_text(encoding="utf-8"))


def logged(sample_run, run: dg.ExecuteInProcessResult) -> str:
    return "\n".join(entry.user_message for entry in sample_run["instance"].all_logs(run.run_id))


def test_a_build_with_stored_lineage_shows_what_the_computing_build_computed(sample_run, definitions):
    assert "star_schema: column lineage computed: none is stored" in logged(sample_run, sample_run["first"])
    assert "star_schema: column lineage taken from the whole build" in logged(sample_run, sample_run["second"])
    step = definitions.resolve_assets_def(FACTS)
    assert step.op.name == "star_schema"
    computed, stored = lineage_by_asset(sample_run["first"], step), lineage_by_asset(sample_run["second"], step)
    # dagster-dbt computes lineage for models, not for seeds: every model of the step has it.
    models = {key for unique_id, key in asset_keys(manifest()).items() if unique_id.startswith("model.")} & {
        key.to_user_string() for key in step.keys
    }
    assert FACTS.to_user_string() in models
    assert {key.to_user_string() for key in computed} == models
    assert stored == computed


def test_the_stored_lineage_is_under_the_key_of_the_warehouse_as_built(sample_run):
    with duckdb.connect(str(sample_run["db"]), read_only=True) as con:
        keys = con.execute("select distinct lineage_key from build_state.column_lineage").fetchall()
        assert keys == [(lineage_key(con, manifest(), build_state.code_digest(), {}),)]


MANIFEST = {
    "sources": {"source.p.raw.lines": {"schema": "raw", "identifier": "lines"}},
    "nodes": {
        f"model.p.{name}": {"resource_type": "model", "name": name, "config": {"schema": "marts"}}
        for name in ("facts", "totals")
    },
}


def lineage(column: str) -> dg.TableColumnLineageMetadataValue:
    dep = dg.TableColumnDep(asset_key=dg.AssetKey(["raw", "lines"]), column_name=column)
    return dg.MetadataValue.column_lineage(dg.TableColumnLineage(deps_by_column={column: [dep]}))


@pytest.fixture
def con(tmp_path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute("create schema raw; create table raw.lines (id integer, cents bigint)")
    con.execute("create table raw.not_a_source (id integer)")
    return con


def test_a_source_column_added_or_retyped_or_other_code_moves_the_key_and_rows_or_other_tables_do_not(con):
    key = lineage_key(con, MANIFEST, "code-1", {})
    con.execute("insert into raw.lines values (1, 100); alter table raw.not_a_source add column note varchar")
    assert lineage_key(con, MANIFEST, "code-1", {}) == key
    assert lineage_key(con, MANIFEST, "code-2", {}) != key
    assert lineage_key(con, MANIFEST, "code-1", {"suppression_threshold": 11}) != key
    con.execute("alter table raw.lines add column note varchar")
    added = lineage_key(con, MANIFEST, "code-1", {})
    con.execute("alter table raw.lines alter note type integer")
    assert len({key, added, lineage_key(con, MANIFEST, "code-1", {})}) == 3


def test_lineage_is_found_under_its_own_key_only_and_a_new_key_replaces_it_wholesale(con):
    assert stored_lineage(con, MANIFEST, "key-1") is None
    store_lineage(con, MANIFEST, "key-1", {"model.p.facts": lineage("id"), "model.p.totals": lineage("cents")})
    assert stored_lineage(con, MANIFEST, "key-1") == {
        "model.p.facts": lineage("id"),
        "model.p.totals": lineage("cents"),
    }
    # Another key: nothing stored for it, so the step computes the lineage again, then stores it in place of the old.
    assert stored_lineage(con, MANIFEST, "key-2") is None
    store_lineage(con, MANIFEST, "key-2", {"model.p.facts": lineage("cents")})
    assert stored_lineage(con, MANIFEST, "key-2") == {"model.p.facts": lineage("cents")}
    assert stored_lineage(con, MANIFEST, "key-1") is None
    assert con.execute("select asset_key from build_state.column_lineage").fetchall() == [("marts/facts",)]

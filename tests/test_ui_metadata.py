"""What the Dagster UI shows on the shared run of the shipped sample (issue 22 item 4): each ingest materialization
carries its table's columns, its quarantine by reason code and its money in euros; the ledger and the quarantine are
assets with a materialization per writer; dbt tables carry row counts, columns and column lineage, and link their
dbt docs page over http. Expected values are read from the warehouse by plain queries, not from the metadata code."""

import json
from collections import Counter

import dagster as dg
import duckdb

from orchestration.defs.dbt.project import warehouse_dbt_project
from orchestration.formats import euros_nl


def materializations(sample_run) -> dict[str, dg.AssetMaterialization]:
    """The first run's last materialization per asset."""
    return {
        event.asset_key.to_user_string(): event.materialization
        for event in sample_run["first"].get_asset_materialization_events()
    }


def query(sample_run, sql: str, parameters: list | None = None) -> list[tuple]:
    with duckdb.connect(str(sample_run["db"]), read_only=True) as con:
        return con.execute(sql, parameters or []).fetchall()


def test_each_raw_table_shows_its_columns_as_the_warehouse_holds_them(sample_run):
    events = materializations(sample_run)
    raw = sorted(key for key in events if key.startswith("raw/"))
    tables = query(sample_run, "select 'raw/' || table_name from information_schema.tables where table_schema = 'raw'")
    assert raw == sorted(table for (table,) in tables)
    for key in raw:
        schema = events[key].metadata["dagster/column_schema"].value
        columns = query(sample_run, f"describe {key.replace('/', '.')}")  # the key names the table
        assert [(column.name, column.type) for column in schema.columns] == [(name, kind) for name, kind, *_ in columns]


def test_the_declaration_ingest_shows_its_quarantine_by_reason_code_and_euros(sample_run):
    metadata = materializations(sample_run)["raw/ijw_declaration_lines"].metadata
    rows = query(
        sample_run,
        "select reason_code, amount_cents from audit.quarantine where run_id = ? and message_type = 'JW323'",
        [sample_run["first"].run_id],
    )
    records, cents = Counter(code for code, _ in rows), Counter()
    for code, amount in rows:
        cents[code] += amount
    shown = {record.data["reason_code"]: record.data for record in metadata["quarantined_by_reason"].value.records}
    # The sample's faults put declaration lines in quarantine for several rules (seeds/sample/faults.json).
    assert len(shown) > 3 and set(shown) == set(records)
    for code, data in shown.items():
        assert data["records"] == records[code]
        assert data["amount"] == euros_nl(cents[code], decimals=2)
    assert metadata["amount_accepted"].value == euros_nl(metadata["cents_accepted"].value, decimals=2)
    assert metadata["amount_quarantined"].value.startswith("€")


def test_ledger_and_quarantine_get_a_materialization_per_writer(sample_run):
    run_id = sample_run["first"].run_id
    appended: dict[str, int] = Counter()
    writers: dict[str, set[str]] = {}
    for event in sample_run["first"].get_asset_materialization_events():
        key = event.asset_key.to_user_string()
        if key in ("audit/ingest_ledger", "audit/quarantine"):
            appended[key] += event.materialization.metadata["rows_appended"].value
            writer = event.materialization.metadata["written_by"].value.to_user_string()
            writers.setdefault(key, set()).add(writer)
    ((ledger_rows,),) = query(sample_run, "select count(*) from audit.ingest_ledger where run_id = ?", [run_id])
    # The sample lands no odd entry (the inventory's own ledger rows), so every ledger row has an ingest writer.
    assert appended["audit/ingest_ledger"] == ledger_rows > 0
    ((quarantined,),) = query(sample_run, "select count(*) from audit.quarantine where run_id = ?", [run_id])
    assert appended["audit/quarantine"] == quarantined
    assert "raw/ijw_declaration_lines" in writers["audit/quarantine"]
    assert {"raw/cbs_iv3", "raw/ijw_allocations"} <= writers["audit/ingest_ledger"]


def test_dbt_tables_show_row_counts_columns_and_column_lineage(sample_run, definitions):
    events = materializations(sample_run)
    for key in ("marts/fct_declaration_line", "marts/kpi_values", "report/rpt_signals"):
        metadata = events[key].metadata
        ((rows,),) = query(sample_run, f"select count(*) from {key.replace('/', '.')}")  # the key names the table
        assert metadata["dagster/row_count"].value == rows, key
        columns = query(sample_run, f"describe {key.replace('/', '.')}")  # the key names the table
        assert [c.name for c in metadata["dagster/column_schema"].value.columns] == [name for name, *_ in columns]
    lineage = events["marts/fct_declaration_line"].metadata["dagster/column_lineage"].value
    upstream = {dep.asset_key.to_user_string() for deps in lineage.deps_by_column.values() for dep in deps}
    assert "intermediate/int_declaration_lines_netted" in upstream or "staging/stg_ijw__declaration_lines" in upstream
    spec = definitions.resolve_asset_graph().get(dg.AssetKey(["marts", "fct_declaration_line"]))
    assert spec.metadata["dbt_docs"].value.endswith("/dbt-docs/#!/model/model.jeugdhulp_warehouse.fct_declaration_line")


def test_every_dbt_table_shows_its_row_count_and_its_documented_columns(sample_run):
    """Every model and seed the run built, against the warehouse's own counts, nullability and dbt's YAML; views show
    columns and no count (counting a view runs its query)."""
    events = materializations(sample_run)
    manifest = json.loads(warehouse_dbt_project.manifest_path.read_text(encoding="utf-8"))
    nodes = [node for node in manifest["nodes"].values() if node["resource_type"] in ("model", "seed")]
    assert len(nodes) > 100
    with duckdb.connect(str(sample_run["db"]), read_only=True) as con:
        for node in nodes:
            key = f"{node['config']['schema']}/{node['name']}"
            metadata = events[key].metadata
            relation = f'"{node["schema"]}"."{node["alias"]}"'
            if node["config"]["materialized"] == "view":
                assert "dagster/row_count" not in metadata, key
            else:
                ((rows,),) = con.execute(f"select count(*) from {relation}").fetchall()  # noqa: S608 - manifest's names
                assert metadata["dagster/row_count"].value == rows, key
            columns = con.execute(f"describe {relation}").fetchall()
            shown = metadata["dagster/column_schema"].value.columns
            assert [(c.name, c.type, c.constraints.nullable) for c in shown] == [
                (name, kind, null == "YES") for name, kind, null, *_ in columns
            ], key
            documented = {name.lower(): column["description"] or None for name, column in node["columns"].items()}
            assert [c.description for c in shown] == [documented.get(c.name.lower()) for c in shown], key
    facts = events["marts/fct_declaration_line"].metadata["dagster/column_schema"].value
    assert all(column.description for column in facts.columns)
    # The contract's not_null constraints reach the warehouse's DDL, and so the asset page.
    assert not next(column for column in facts.columns if column.name == "client_key").constraints.nullable

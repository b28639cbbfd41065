"""The code location loads and the asset graph is connected from ingest to the KPI mart."""

import dagster as dg

from orchestration.defs.dbt.project import warehouse_dbt_project


def test_dbt_project_parses_with_every_model_and_seed(definitions):
    manifest = warehouse_dbt_project.manifest_path.read_text()
    for node in ("stg_ijw__declaration_lines", "fct_declaration_line", "dim_municipality", "dim_product", "kpi_values"):
        assert f"model.jeugdhulp_warehouse.{node}" in manifest
    assert "seed.jeugdhulp_warehouse.product_codes" in manifest


def test_graph_connects_ingest_to_kpi_through_staging_and_marts(definitions):
    graph = definitions.resolve_asset_graph()
    chain = [
        ["raw", "ijw_declaration_lines"],
        ["staging", "stg_ijw__declaration_lines"],
        ["marts", "fct_declaration_line"],
        ["intermediate", "int_kpi_costs_summed"],
        ["intermediate", "int_kpi_values_unioned"],
        ["marts", "kpi_values"],
        ["intermediate", "int_steering_signals_scored"],
        ["marts", "steering_signals"],
        ["marts", "dialogue_agenda"],
    ]
    for upstream, downstream in zip(chain, chain[1:], strict=False):
        parents = graph.get(dg.AssetKey(downstream)).parent_keys
        assert dg.AssetKey(upstream) in parents, f"{downstream} does not depend on {upstream}"
    # The dbt source is the Python ingest asset itself, not a separate external asset.
    assert graph.get(dg.AssetKey(["raw", "ijw_declaration_lines"])).is_materializable


def test_quality_checks_are_blocking(definitions):
    graph = definitions.resolve_asset_graph()
    checks = {key.to_user_string(): graph.get_check_spec(key) for key in graph.asset_check_keys}
    assert checks["raw/ijw_declaration_lines:great_expectations_ijw_declaration_lines"].blocking
    relationships = [name for name in checks if ":relationships_fct_declaration_line_municipality_code" in name]
    assert relationships and all(checks[name].blocking for name in relationships)

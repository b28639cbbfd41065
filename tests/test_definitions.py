"""The code location loads and the asset graph is connected from ingest to the KPI mart."""

import os
import time

import dagster as dg
from dagster_dbt import DbtProject

from orchestration.dbt_manifest import prepare_manifest
from orchestration.defs.dbt.project import manifest_is_current, warehouse_dbt_project


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
        ["intermediate", "int_kpi_declaration_lines_described"],
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


def test_the_manifest_is_parsed_again_only_when_a_parsed_file_or_folder_changed(tmp_path):
    project_dir, seeds = tmp_path / "dbt", tmp_path / "seeds"
    (project_dir / "models").mkdir(parents=True)
    seeds.mkdir()
    (project_dir / "dbt_project.yml").write_text('name: p\nmodel-paths: ["models"]\nseed-paths: ["../seeds"]\n')
    (project_dir / "profiles.yml").write_text("p: {}\n")
    (project_dir / "models" / "a.sql").write_text("select 1")
    (seeds / "codes.csv").write_text("code\n1\n")
    (project_dir / "analyses").mkdir()  # dbt's default analysis path
    (project_dir / "analyses" / "b.sql").write_text("select 2")
    (project_dir / "notes.md").write_text("not parsed")
    project = DbtProject(project_dir=project_dir, profiles_dir=project_dir)
    parsed = [
        project_dir / "dbt_project.yml",
        project_dir / "profiles.yml",
        project_dir / "models",
        project_dir / "models" / "a.sql",
        seeds,
        seeds / "codes.csv",
        project_dir / "analyses",
        project_dir / "analyses" / "b.sql",
    ]
    for path in [*parsed, project_dir / "notes.md"]:
        os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    assert not manifest_is_current(project)  # none yet

    project.manifest_path.parent.mkdir()
    project.manifest_path.write_text("{}")
    os.utime(project.manifest_path, ns=(2_000_000_000, 2_000_000_000))
    os.utime(project_dir / "notes.md", ns=(3_000_000_000, 3_000_000_000))
    assert manifest_is_current(project)

    for path in parsed:
        os.utime(path, ns=(3_000_000_000, 3_000_000_000))
        assert not manifest_is_current(project), path
        os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    assert manifest_is_current(project)


def test_make_manifest_parses_again_when_a_dbt_file_or_the_warehouse_path_changed(tmp_path, monkeypatch):
    project_dir = tmp_path / "dbt"
    (project_dir / "models").mkdir(parents=True)
    (project_dir / "dbt_project.yml").write_text('name: p\nmodel-paths: ["models"]\n')
    (project_dir / "profiles.yml").write_text("p: {}\n")
    model = project_dir / "models" / "a.sql"
    model.write_text("select 1")
    project = DbtProject(project_dir=project_dir, profiles_dir=project_dir)
    parses = []

    def parse(preparer, parsed_project):
        parses.append(parsed_project.project_dir)
        parsed_project.manifest_path.parent.mkdir(exist_ok=True)
        parsed_project.manifest_path.write_text("{}")

    monkeypatch.setattr(type(project.preparer), "prepare", parse)
    for path in (project_dir / "dbt_project.yml", project_dir / "profiles.yml", project_dir / "models", model):
        os.utime(path, ns=(1_000_000_000, 1_000_000_000))

    assert prepare_manifest(project, "/w/one.duckdb")  # no manifest yet
    assert not prepare_manifest(project, "/w/one.duckdb")
    assert prepare_manifest(project, "/w/two.duckdb")  # dbt keeps a parse only for the profile's path
    assert not prepare_manifest(project, "/w/two.duckdb")
    os.utime(model, ns=(time.time_ns(), time.time_ns()))
    assert prepare_manifest(project, "/w/two.duckdb")
    assert len(parses) == 3

"""Documentation as a product (issue 23): every dbt model and every column it builds has a description, and the dbt
unit tests (unit_tests: in the YAML beside each model) pass on the sample's warehouse.

The manifest knows only the columns a YAML declares, so one test compares it with the catalogue that
`dbt docs generate` reads from the built warehouse: a column added to a model's SQL without a YAML entry fails there.
dbt runs through the project's DbtCliResource, as in the Dagster steps.
"""

import json

import pytest

from orchestration.defs.dbt.project import warehouse_dbt_project


def undocumented(manifest: dict, built_columns: dict[str, list[str]] | None = None) -> list[str]:
    """Every model without a description and every column without one, as 'model' or 'model.column'; with
    built_columns (unique_id -> column names in the warehouse), the built columns the YAML does not declare too."""
    missing = []
    for unique_id, node in manifest["nodes"].items():
        if node["resource_type"] != "model":
            continue
        if not node["description"].strip():
            missing.append(node["name"])
        declared = {name.lower(): column for name, column in node["columns"].items()}
        names = set(declared) | {name.lower() for name in (built_columns or {}).get(unique_id, [])}
        missing += [
            f"{node['name']}.{name}"
            for name in sorted(names)
            if not declared.get(name, {}).get("description", "").strip()
        ]
    return missing


def test_every_model_and_declared_column_has_a_description(definitions):
    manifest = json.loads(warehouse_dbt_project.manifest_path.read_text(encoding="utf-8"))
    assert undocumented(manifest) == []


def test_undocumented_finds_a_model_and_a_built_column_without_a_description():
    manifest = {
        "nodes": {
            "model.p.documented": {
                "resource_type": "model",
                "name": "documented",
                "description": "One row per thing.",
                "columns": {"a": {"description": "The a."}, "b": {"description": " "}},
            },
            "model.p.bare": {"resource_type": "model", "name": "bare", "description": "", "columns": {}},
            "seed.p.lookup": {"resource_type": "seed", "name": "lookup", "description": "", "columns": {}},
        }
    }
    assert undocumented(manifest, {"model.p.documented": ["A", "C"]}) == ["documented.b", "documented.c", "bare"]


@pytest.fixture(scope="module")
def sample_target(tmp_path_factory):
    """One dbt target folder for this module's commands on the sample's warehouse: the later ones reuse the first's
    parse (dbt parses the project again for a new target folder whose profile differs from the manifest's)."""
    return tmp_path_factory.mktemp("sample_dbt_target")


def test_every_built_column_is_documented(definitions, sample_run, sample_target, monkeypatch):
    monkeypatch.setenv("WAREHOUSE_DUCKDB_PATH", str(sample_run["db"]))
    invocation = definitions.resources["dbt"].cli(["docs", "generate"], target_path=sample_target).wait()
    catalog = invocation.get_artifact("catalog.json")
    built = {unique_id: list(node["columns"]) for unique_id, node in catalog["nodes"].items()}
    assert any(unique_id.startswith("model.") for unique_id in built), "the catalogue holds no model"
    assert undocumented(invocation.get_artifact("manifest.json"), built) == []


UNIT_TESTS = {
    "unit_test.jeugdhulp_warehouse.int_declaration_lines_netted.credit_cancels_only_the_debit_it_names",
    "unit_test.jeugdhulp_warehouse.int_cost_variance_factors.cost_factors_by_region_care_form_and_period",
    "unit_test.jeugdhulp_warehouse.cost_variance.cost_change_split_into_effects_that_add_up",
}


def test_the_kpi_step_runs_the_unit_tests_of_its_models(sample_run):
    """`dbt build` in a Dagster step selects a model's unit tests with the model: the dbt logs kept after each sample
    run (dbt rolls its log over, so each holds at least that run's KPI step) show the unit tests of its models."""
    kpi_step = {unique_id for unique_id in UNIT_TESTS if "declaration_lines_netted" not in unique_id}
    statuses: dict[str, set[str]] = {}
    for log in sample_run["dbt_logs"]:
        for line in log.splitlines():
            event = json.loads(line) if line.startswith("{") else {}
            unique_id = event.get("data", {}).get("node_info", {}).get("unique_id", "")
            if event.get("info", {}).get("name") == "LogTestResult" and unique_id in kpi_step:
                statuses.setdefault(unique_id, set()).add(event["data"]["status"])
    assert statuses == dict.fromkeys(kpi_step, {"pass"})


def test_dbt_unit_tests_pass_on_the_sample_warehouse(definitions, sample_run, sample_target, monkeypatch):
    """Every unit test, the star schema's too, through the project's DbtCliResource."""
    monkeypatch.setenv("WAREHOUSE_DUCKDB_PATH", str(sample_run["db"]))
    invocation = definitions.resources["dbt"].cli(["test", "--select", "test_type:unit"], target_path=sample_target)
    invocation = invocation.wait()
    run_results = invocation.get_artifact("run_results.json")["results"]
    results = {result["unique_id"]: result["status"] for result in run_results}
    assert set(results) >= UNIT_TESTS
    assert set(results.values()) == {"pass"}, results

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


def unit_test_ids() -> set[str]:
    manifest = json.loads(warehouse_dbt_project.manifest_path.read_text(encoding="utf-8"))
    return set(manifest["unit_tests"])


def test_the_refresh_runs_no_unit_test(sample_run):
    """The unit tests check the models' SQL on fixed inputs, not the data, so the refresh's dbt steps leave them to
    `make test` (dbt's advice: development and CI only): the dbt logs kept after each sample run (dbt rolls its log
    over, so each holds at least that run's KPI step) show the steps' tests and no unit test."""
    tested: set[str] = set()
    for log in sample_run["dbt_logs"]:
        for line in log.splitlines():
            event = json.loads(line) if line.startswith("{") else {}
            if event.get("info", {}).get("name") == "LogTestResult":
                tested.add(event["data"]["node_info"]["unique_id"])
    assert any(unique_id.startswith("test.") for unique_id in tested), "the logs hold no data test"
    assert {unique_id for unique_id in tested if unique_id.startswith("unit_test.")} == set()


def test_dbt_unit_tests_pass_on_the_sample_warehouse(definitions, sample_run, sample_target, monkeypatch):
    """Every unit test of the project, the star schema's too, through the project's DbtCliResource: this test fails
    when one does, in `make test` and CI, where they run instead of in each refresh."""
    monkeypatch.setenv("WAREHOUSE_DUCKDB_PATH", str(sample_run["db"]))
    invocation = definitions.resources["dbt"].cli(["test", "--select", "test_type:unit"], target_path=sample_target)
    invocation = invocation.wait()
    run_results = invocation.get_artifact("run_results.json")["results"]
    results = {result["unique_id"]: result["status"] for result in run_results}
    assert unit_test_ids(), "the manifest holds no unit test"
    assert set(results) == unit_test_ids()
    assert set(results.values()) == {"pass"}, results

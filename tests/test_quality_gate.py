"""A failing blocking check stops kpi_values and the quarterly report from materialising in the same run; so does a
null in a column whose contract says not_null, and the table keeps its earlier rows, as it does when a contract's
check or unique constraint is broken."""

import json
import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.defs.dbt.assets import kpi_marts, star_schema
from tests.conftest import run_everything, set_warehouse_env
from tests.jw323_documents import VALID_BSN, client, document, prestatie

KPI_VALUES = dg.AssetKey(["marts", "kpi_values"])
QUARTERLY_REPORT = dg.AssetKey(["report", "quarterly_report"])


def kpi_table_exists(warehouse_dir) -> bool:
    with duckdb.connect(str(warehouse_dir / "warehouse.duckdb"), read_only=True) as con:
        tables = con.execute("select table_schema, table_name from information_schema.tables").fetchall()
    return ("marts", "kpi_values") in tables


def failed_checks(result: dg.ExecuteInProcessResult) -> set[str]:
    return {e.check_name for e in result.get_asset_check_evaluations() if not e.passed}


def test_failing_great_expectations_suite_blocks_the_marts_and_kpis(definitions, warehouse_env):
    warehouse_dir, landing_dir = warehouse_env
    # Declared on 15 August for care in September: every iJw rule at the door holds, the raw suite's
    # "declared after it started" expectation does not.
    bad = document(client(VALID_BSN, prestatie("R1", 5000)), declaration_date="2024-08-15")
    (landing_dir / "ijw" / "bad.xml").write_text(bad)
    instance = dg.DagsterInstance.ephemeral()

    result = run_everything(definitions, instance)

    assert not result.success
    assert "great_expectations_ijw_declaration_lines" in failed_checks(result)
    assert instance.get_latest_materialization_event(dg.AssetKey(["raw", "ijw_declaration_lines"])) is not None
    assert instance.get_latest_materialization_event(dg.AssetKey(["marts", "fct_declaration_line"])) is None
    assert instance.get_latest_materialization_event(KPI_VALUES) is None
    assert not kpi_table_exists(warehouse_dir)
    assert instance.get_latest_materialization_event(QUARTERLY_REPORT) is None
    assert not (warehouse_dir / "reports").exists()


def test_failing_dbt_relationship_test_blocks_the_kpis(definitions, warehouse_env):
    warehouse_dir, landing_dir = warehouse_env
    # Gemeente 9999 is well-formed, so it passes the reader and the raw suite, but it is not in dim_municipality.
    unknown = document(client(VALID_BSN, prestatie("R1", 5000)), ontvanger="9999")
    (landing_dir / "ijw" / "unknown_municipality.xml").write_text(unknown)
    instance = dg.DagsterInstance.ephemeral()

    result = run_everything(definitions, instance)

    assert not result.success
    assert any(
        name.startswith("relationships_fct_declaration_line_municipality_code") for name in failed_checks(result)
    )
    assert instance.get_latest_materialization_event(KPI_VALUES) is None
    assert not kpi_table_exists(warehouse_dir)
    assert instance.get_latest_materialization_event(QUARTERLY_REPORT) is None
    assert not (warehouse_dir / "reports").exists()


INDICATORS = "select * from marts.fct_cbs_indicator order by all"


def changed_sample_copy(sample_run, tmp_path, monkeypatch, change: str) -> tuple[Path, list]:
    """A copy of the shared sample's warehouse, the pipeline pointed at it, with `change` made to the raw CBS table
    fct_cbs_indicator is built from ({raw}); and the mart's rows before."""
    warehouse = tmp_path / "warehouse"
    shutil.copytree(sample_run["warehouse"], warehouse, ignore=shutil.ignore_patterns("dagster_home"))
    set_warehouse_env(monkeypatch, warehouse, sample_run["landing"])
    with duckdb.connect(str(warehouse / "warehouse.duckdb")) as con:
        before = con.execute(INDICATORS).fetchall()
        changed = con.execute(change.format(raw="raw.cbs_jeugdzorg_kerncijfers")).fetchone()[0]
    assert changed > 0 and before
    return warehouse, before


def test_a_null_in_a_contracted_column_fails_the_star_schema_blocks_the_kpis_and_keeps_the_table(
    sample_run, definitions, tmp_path, monkeypatch
):
    """On a copy of the shared sample's warehouse, one CBS table's rows lose their status (nullable in raw: the raw
    suite stops a landed file without one; changed in place, the rows reach dbt): fct_cbs_indicator's contract holds
    status not_null, so its build fails, the KPI step does not run and the mart keeps the rows it had."""
    warehouse, before = changed_sample_copy(sample_run, tmp_path, monkeypatch, "update {raw} set status = null")
    with duckdb.connect(str(warehouse / "warehouse.duckdb"), read_only=True) as con:
        kpis_before = con.execute("select count(*) from marts.kpi_values").fetchone()
    job = definitions.resolve_job_def("refresh_job")

    # The dbt steps alone: the raw assets and their suites are not part of this run.
    result = job.execute_in_process(raise_on_error=False, asset_selection=[*star_schema.keys, *kpi_marts.keys])

    assert not result.success
    results = json.loads((warehouse / "dbt_target" / "run_results.json").read_text(encoding="utf-8"))["results"]
    (failed,) = [r for r in results if r["unique_id"] == "model.jeugdhulp_warehouse.fct_cbs_indicator"]
    assert failed["status"] == "error" and "NOT NULL constraint failed" in failed["message"], failed["message"]
    built = {event.asset_key for event in result.get_asset_materialization_events()}
    assert dg.AssetKey(["marts", "fct_declaration_line"]) in built  # the step ran; only the null's model failed
    assert dg.AssetKey(["marts", "fct_cbs_indicator"]) not in built
    assert KPI_VALUES not in built
    with duckdb.connect(str(warehouse / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute(INDICATORS).fetchall() == before
        assert con.execute("select count(*) from marts.kpi_values").fetchone() == kpis_before


@pytest.mark.parametrize(
    ("mutation", "message"),
    [
        ("update {raw} set status = 'onbekend'", "CHECK constraint failed"),
        ("insert into {raw} select * from {raw}", "UNIQUE constraint violation: duplicate key"),
    ],
    ids=["status_outside_its_code_list", "every_row_twice"],
)
def test_a_broken_check_or_unique_constraint_fails_the_model_s_build_and_keeps_its_table(
    sample_run, definitions, tmp_path, monkeypatch, mutation, message
):
    """fct_cbs_indicator's contract holds status in CBS's three statuses (check) and its grain unique: a raw CBS table
    whose rows break either, changed in place on a copy of the shared sample's warehouse, fails the model's build, and
    the mart keeps the rows it had. The model alone, through the project's dbt resource."""
    warehouse, before = changed_sample_copy(sample_run, tmp_path, monkeypatch, mutation)

    dbt = definitions.resources["dbt"]
    invocation = dbt.cli(
        ["run", "--select", "fct_cbs_indicator"], target_path=tmp_path / "target", raise_on_error=False
    )

    (result,) = invocation.wait().get_artifact("run_results.json")["results"]
    assert result["status"] == "error" and message in result["message"], result["message"]
    with duckdb.connect(str(warehouse / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute(INDICATORS).fetchall() == before

"""A failing blocking check stops kpi_values and the quarterly report from materialising in the same run."""

import dagster as dg
import duckdb

from tests.conftest import run_everything
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

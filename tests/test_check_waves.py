"""The checks run in waves, one step per set of tables that become ready together (orchestration/defs/quality/wave.py):
every check keeps its own key and result, a failing or crashing check does not stop the others of its wave, the
step then fails and blocks what is downstream, and one check can run alone."""

import dagster as dg
import pytest

from orchestration.defs.dbt.assets import kpi_marts, star_schema
from orchestration.defs.quality.wave import WaveCheck, check_wave
from orchestration.defs.quality.waves import check_waves
from orchestration.defs.resources import WarehouseResource
from orchestration.quality.suites import suite_files
from orchestration.settings import EXPECTATIONS_DIR

TABLE = dg.AssetKey(["raw", "example"])


@dg.asset(key=TABLE)
def example_table() -> None:
    return None


@dg.asset(deps=[TABLE])
def downstream_of_example() -> None:
    return None


def example_check(name: str, evaluated: list[str], passed: bool = True, blocking: bool = True) -> WaveCheck:
    def evaluate(_context: dg.AssetCheckExecutionContext, _warehouse: WarehouseResource) -> dg.AssetCheckResult:
        evaluated.append(name)
        return dg.AssetCheckResult(
            passed=passed,
            severity=dg.AssetCheckSeverity.ERROR if blocking else dg.AssetCheckSeverity.WARN,
            description=f"{name} {'held' if passed else 'failed'}",
            metadata={"rows": 3},
        )

    return WaveCheck(dg.AssetCheckSpec(name=name, asset=TABLE, blocking=blocking), evaluate)


def crashing_check(name: str, evaluated: list[str]) -> WaveCheck:
    def evaluate(_context: dg.AssetCheckExecutionContext, _warehouse: WarehouseResource) -> dg.AssetCheckResult:
        evaluated.append(name)
        raise ZeroDivisionError(f"{name} divided by zero")

    return WaveCheck(dg.AssetCheckSpec(name=name, asset=TABLE, blocking=True), evaluate)


def run_wave(checks: list[WaveCheck], selection: dg.AssetSelection | None = None) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [example_table, check_wave("example_checks", "The example table's checks.", checks), downstream_of_example],
        selection=selection,
        resources={"warehouse": WarehouseResource()},
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )


def outcomes(result: dg.ExecuteInProcessResult) -> dict[str, tuple[bool, dg.AssetCheckSeverity]]:
    return {e.check_name: (e.passed, e.severity) for e in result.get_asset_check_evaluations()}


def materialized(result: dg.ExecuteInProcessResult) -> set[dg.AssetKey]:
    return {event.asset_key for event in result.get_asset_materialization_events()}


def test_a_failing_check_reports_its_failure_the_others_still_run_and_the_wave_blocks(warehouse_env):
    evaluated: list[str] = []
    checks = [
        example_check("first_holds", evaluated),
        example_check("second_fails", evaluated, passed=False),
        example_check("third_warns", evaluated, passed=False, blocking=False),
        example_check("fourth_holds", evaluated),
    ]

    result = run_wave(checks)

    assert evaluated == ["first_holds", "second_fails", "third_warns", "fourth_holds"]
    assert outcomes(result) == {
        "first_holds": (True, dg.AssetCheckSeverity.ERROR),
        "second_fails": (False, dg.AssetCheckSeverity.ERROR),
        "third_warns": (False, dg.AssetCheckSeverity.WARN),
        "fourth_holds": (True, dg.AssetCheckSeverity.ERROR),
    }
    [failed] = [e for e in result.get_asset_check_evaluations() if e.check_name == "second_fails"]
    assert failed.description == "second_fails failed" and failed.metadata["rows"].value == 3
    assert failed.metadata["check_seconds"].value >= 0
    assert not result.success
    assert [event.step_key for event in result.get_step_failure_events()] == ["example_checks"]
    assert materialized(result) == {TABLE}


def test_a_warning_alone_does_not_block(warehouse_env):
    result = run_wave([example_check("warns", [], passed=False, blocking=False), example_check("holds", [])])

    assert result.success
    assert dg.AssetKey("downstream_of_example") in materialized(result)


def test_a_check_that_raises_fails_the_wave_once_the_others_reported(warehouse_env):
    evaluated: list[str] = []
    checks = [
        crashing_check("first_crashes", evaluated),
        example_check("second_holds", evaluated),
        crashing_check("third_crashes", evaluated),
    ]

    result = run_wave(checks)

    assert evaluated == ["first_crashes", "second_holds", "third_crashes"]
    assert outcomes(result) == {"second_holds": (True, dg.AssetCheckSeverity.ERROR)}
    [failure] = result.get_step_failure_events()
    error = failure.step_failure_data.error
    assert failure.step_key == "example_checks"
    assert "first_crashes divided by zero" in error.to_string()
    assert "raw/example:third_crashes raised too" in error.to_string()
    assert materialized(result) == {TABLE}


def test_one_check_of_a_wave_runs_alone(warehouse_env):
    evaluated: list[str] = []
    checks = [example_check(name, evaluated) for name in ("first", "second", "third")]

    result = run_wave(checks, selection=dg.AssetSelection.checks(dg.AssetCheckKey(TABLE, "second")))

    assert (
        result.success
        and evaluated == ["second"]
        and outcomes(result) == {"second": (True, dg.AssetCheckSeverity.ERROR)}
    )


@pytest.fixture(scope="module")
def wave_of_check() -> dict[str, str]:
    return {key.to_user_string(): wave.node_def.name for wave in check_waves for key in wave.check_keys}


def test_every_check_runs_in_the_wave_after_the_step_that_builds_its_table(wave_of_check):
    star, kpi = set(star_schema.keys), set(kpi_marts.keys)
    for suite in suite_files(EXPECTATIONS_DIR):
        key = dg.AssetKey([suite.schema, suite.table_name])
        expected = (
            "checks_after_star_schema"
            if key in star
            else "checks_after_kpi_marts"
            if key in kpi
            else "checks_after_ingest"
        )
        assert wave_of_check.pop(f"{key.to_user_string()}:great_expectations_{suite.table_name}") == expected
        if suite.schema == "raw":
            assert wave_of_check.pop(f"{key.to_user_string()}:reconciliation") == expected == "checks_after_ingest"
    assert wave_of_check == {
        "raw/ijw_declaration_lines:delivery_freshness": "checks_after_ingest",
        "raw/cbs_iv3:iv3_geen_opgave": "checks_after_ingest",
    }


def test_the_project_has_three_check_steps_and_each_check_keeps_its_spec():
    assert [wave.node_def.name for wave in check_waves] == [
        "checks_after_ingest",
        "checks_after_star_schema",
        "checks_after_kpi_marts",
    ]
    specs = {spec.key.to_user_string(): spec for wave in check_waves for spec in wave.check_specs}
    suite = specs["raw/ijw_declaration_lines:great_expectations_ijw_declaration_lines"]
    assert suite.blocking and suite.description.startswith("Great Expectations suite raw.ijw_declaration_lines.json")
    assert specs["marts/kpi_values:great_expectations_kpi_values"].blocking
    assert specs["raw/cbs_population:reconciliation"].blocking
    freshness = specs["raw/ijw_declaration_lines:delivery_freshness"]
    assert not freshness.blocking and dg.AssetKey(["raw", "ijw_stop_events"]) in {
        dep.asset_key for dep in freshness.additional_deps
    }
    assert all(wave.can_subset for wave in check_waves)

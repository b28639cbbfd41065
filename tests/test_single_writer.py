"""One DuckDB writer at a time: every writing asset claims the pool `duckdb_writer`, the instance caps it at 1, and
dbt-duckdb waits for the file lock instead of failing."""

import shutil

import dagster as dg
import yaml

from orchestration.defs.resources import WRITER_POOL
from tests.conftest import REPO_ROOT


def test_the_instance_runs_one_step_of_the_writer_pool_at_a_time(tmp_path, monkeypatch):
    shutil.copy(REPO_ROOT / "dagster.yaml", tmp_path / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))

    with dg.DagsterInstance.get() as instance:
        info = instance.event_log_storage.get_concurrency_info(WRITER_POOL)

    assert info.limit == 1


def test_every_asset_that_writes_the_warehouse_claims_the_writer_pool(definitions):
    # Every asset in the graph writes the DuckDB file (ingest, dbt models, steering, publish); the GX and
    # reconciliation checks write their remembered results (tests/test_remembered_checks.py).
    pools = {
        key.to_user_string(): assets_def.node_def.pool
        for assets_def in definitions.resolve_asset_graph().assets_defs
        if assets_def.is_executable
        for key in assets_def.keys
    }
    assert {"raw/ijw_stop_events", "marts/fct_trajectory", "marts/kpi_values", "published/marts"} <= pools.keys()
    assert {key for key, pool in pools.items() if pool != WRITER_POOL} == set()


def test_dbt_duckdb_waits_for_the_lock_and_retries_io_errors():
    profile = yaml.safe_load((REPO_ROOT / "dbt_project" / "profiles.yml").read_text())
    retries = profile["jeugdhulp_warehouse"]["outputs"]["duckdb"]["retries"]
    assert retries["connect_attempts"] >= 5 and retries["query_attempts"] >= 2


def test_every_asset_and_check_uses_the_warehouse_resource_so_every_run_passes_the_run_guard(definitions):
    # The run guard (orchestration/defs/run_guard.py) lives in the warehouse resource's initialisation: a run of
    # assets or checks that did not use the resource would skip the settings check and the wait for its turn.
    without = [
        assets_def.node_def.name
        for assets_def in definitions.resolve_asset_graph().assets_defs
        if assets_def.is_executable and "warehouse" not in assets_def.required_resource_keys
    ]
    assert without == []

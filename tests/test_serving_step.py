"""The served/postgres step (orchestration/defs/serving) and its settings: nothing happens without
SERVING_POSTGRES_DSN; a wrong one is one clear settings error before any work; a load that fails names the step."""

import uuid

import dagster as dg
import psycopg
import pytest

from orchestration.defs.resources import WarehouseResource
from orchestration.defs.serving.served_postgres import served_postgres
from orchestration.serving.cluster import free_port
from orchestration.settings import Settings, SettingsError, checked_settings
from tests.serving_tiers import write_tiers


def materialize_served_postgres() -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [served_postgres],
        resources={"warehouse": WarehouseResource()},
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )


@pytest.fixture
def serving_database(postgres_cluster, warehouse_env, monkeypatch):
    """A fresh database in the session's cluster set as SERVING_POSTGRES_DSN; returns the loader's conninfo."""
    name = f"serving_{uuid.uuid4().hex[:12]}"
    postgres_cluster.create_database(name)
    conninfo = postgres_cluster.conninfo(dbname=name)
    monkeypatch.setenv("SERVING_POSTGRES_DSN", conninfo)
    return conninfo


def test_without_a_dsn_the_step_materializes_nothing(warehouse_env, monkeypatch):
    monkeypatch.delenv("SERVING_POSTGRES_DSN", raising=False)
    result = materialize_served_postgres()
    assert result.success
    assert result.get_asset_materialization_events() == []


def test_the_step_serves_the_tiers_of_the_warehouse(serving_database, warehouse_env):
    write_tiers(warehouse_env[0] / "warehouse.duckdb")
    result = materialize_served_postgres()
    assert result.success
    (event,) = result.get_asset_materialization_events()
    assert event.materialization.metadata["tables"].value == 8
    with psycopg.connect(serving_database) as pg:
        assert pg.execute("select count(*) from public_marts.kpi_values").fetchone() == (4,)


def test_a_failing_load_fails_the_step_naming_it(serving_database, warehouse_env):
    write_tiers(warehouse_env[0] / "warehouse.duckdb", "drop table audit_tier.ingest_ledger;")
    result = materialize_served_postgres()
    assert not result.success
    (failure,) = [event for event in result.all_events if event.event_type == dg.DagsterEventType.STEP_FAILURE]
    assert "served/postgres: " in failure.event_specific_data.error.message
    assert "no tables in schema(s) audit_tier" in failure.event_specific_data.error.message


@pytest.mark.parametrize(
    ("dsn", "problem"),
    [
        ("host=127.0.0.1 port=notaport =", "is not a libpq connection string"),
        (f"host=127.0.0.1 port={free_port()} user=loader password=s3cret-value", "cannot connect to PostgreSQL"),
    ],
    # Not the DSN: each pytest-xdist worker draws its own free port, and the workers must collect the same ids.
    ids=["malformed", "nobody_listening"],
)
def test_a_wrong_dsn_is_one_settings_error_before_any_work(warehouse_env, monkeypatch, dsn, problem):
    monkeypatch.setenv("SERVING_POSTGRES_DSN", dsn)
    with pytest.raises(SettingsError, match="SERVING_POSTGRES_DSN") as raised:
        checked_settings()
    assert problem in str(raised.value) and "s3cret" not in str(raised.value)
    result = materialize_served_postgres()
    assert not result.success and result.get_asset_materialization_events() == []


def test_a_dsn_of_a_reader_role_is_refused(serving_database, postgres_cluster, warehouse_env, monkeypatch):
    write_tiers(warehouse_env[0] / "warehouse.duckdb")
    assert materialize_served_postgres().success  # creates bi_reader
    monkeypatch.setenv("SERVING_POSTGRES_DSN", serving_database.replace("user=loader", "user=bi_reader"))
    with pytest.raises(SettingsError, match="may not create schemas and roles"):
        checked_settings()


def test_the_default_settings_serve_nothing(monkeypatch):
    monkeypatch.delenv("SERVING_POSTGRES_DSN", raising=False)
    assert Settings.from_env().serving_dsn is None

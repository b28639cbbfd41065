"""Roles and row-level security of the serving database (orchestration/serving/roles.py): each role connects and
reads what it may, is refused what it may not, and no role but the loader writes."""

import uuid

import psycopg
import pytest

from orchestration.serving.load import publish_tiers
from tests.serving_tiers import PROVIDER_A, PROVIDER_B, write_tiers

TIER_TABLES = {"public_marts": "kpi_values", "analyst": "fct_trajectory", "audit": "ingest_ledger"}
READABLE = {
    "bi_reader": {"public_marts"},
    "analyst": {"public_marts", "analyst"},
    "auditor": {"public_marts", "analyst", "audit"},
    f"provider_{PROVIDER_A}": {"public_marts"},
}


def served(cluster, tmp_path_factory, provider_region_rows: bool) -> str:
    name = f"serving_{uuid.uuid4().hex[:12]}"
    cluster.create_database(name)
    duckdb_path = write_tiers(tmp_path_factory.mktemp("tiers") / "warehouse.duckdb")
    publish_tiers(duckdb_path, cluster.conninfo(dbname=name), provider_region_rows=provider_region_rows)
    return name


@pytest.fixture(scope="module")
def database(postgres_cluster, tmp_path_factory):
    return served(postgres_cluster, tmp_path_factory, provider_region_rows=True)


@pytest.fixture(scope="module")
def database_hiding_region_rows(postgres_cluster, tmp_path_factory):
    return served(postgres_cluster, tmp_path_factory, provider_region_rows=False)


def rows(cluster, database: str, role: str, query: str) -> list[tuple]:
    with psycopg.connect(cluster.conninfo(user=role, dbname=database), autocommit=True) as pg:
        return sorted(pg.execute(query).fetchall())


@pytest.mark.parametrize("role", sorted(READABLE))
@pytest.mark.parametrize("schema", sorted(TIER_TABLES))
def test_each_role_reads_exactly_its_tiers(postgres_cluster, database, role, schema):
    query = f"select count(*) from {schema}.{TIER_TABLES[schema]}"
    if schema in READABLE[role]:
        assert rows(postgres_cluster, database, role, query)[0][0] > 0
    else:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            rows(postgres_cluster, database, role, query)


@pytest.mark.parametrize("role", sorted(READABLE))
@pytest.mark.parametrize(
    "statement",
    [
        "insert into public_marts.fct_budget values ('GM0001', 2024, 1)",
        "update public_marts.fct_budget set budget_cents = 0",
        "delete from public_marts.kpi_values",
        "truncate public_marts.dim_date",
        "drop table public_marts.dim_date",
        "create table public_marts.mine (n int)",
        "create table public.mine (n int)",
        "create temporary table mine (n int)",
        "comment on table public_marts.kpi_values is 'mine'",
    ],
)
def test_no_role_but_the_loader_writes(postgres_cluster, database, role, statement):
    with pytest.raises((psycopg.errors.InsufficientPrivilege, psycopg.errors.ReadOnlySqlTransaction)):
        rows(postgres_cluster, database, role, statement)


def test_the_loader_writes(postgres_cluster, database):
    with psycopg.connect(postgres_cluster.conninfo(dbname=database)) as pg:
        pg.execute("create temporary table mine (n int)")
        pg.rollback()


def test_region_roles_see_every_provider(postgres_cluster, database):
    query = "select scope_code from public_marts.kpi_values where scope_type = 'provider'"
    for role in ("bi_reader", "analyst", "auditor"):
        assert rows(postgres_cluster, database, role, query) == [(PROVIDER_A,), (PROVIDER_B,)]


def test_a_provider_sees_its_own_rows_and_the_region_rows_only(postgres_cluster, database):
    provider_a = f"provider_{PROVIDER_A}"
    assert rows(
        postgres_cluster, database, provider_a, "select scope_type, scope_code from public_marts.kpi_values"
    ) == [
        ("municipality", "GM0392"),
        ("provider", PROVIDER_A),
        ("region", "JZ32"),
    ]
    assert rows(postgres_cluster, database, provider_a, "select provider_agb from public_marts.dialogue_agenda") == [
        (PROVIDER_A,)
    ]
    # The region's drivers name other providers' shares: those rows are B's, not A's.
    drivers = "select scope_type, driver_type, driver_code from public_marts.steering_drivers"
    assert rows(postgres_cluster, database, provider_a, drivers) == [
        ("region", "care_form", "ambulant"),
        ("region", "provider", PROVIDER_A),
    ]
    assert rows(postgres_cluster, database, provider_a, "select provider_name from public_marts.dim_provider") == [
        ("Zorg A",)
    ]
    assert len(rows(postgres_cluster, database, provider_a, "select * from public_marts.fct_budget")) == 2
    provider_b = f"provider_{PROVIDER_B}"
    assert rows(postgres_cluster, database, provider_b, "select count(*) from public_marts.dialogue_agenda") == [(2,)]


def test_a_provider_cannot_pose_as_another(postgres_cluster, database):
    with psycopg.connect(postgres_cluster.conninfo(user=f"provider_{PROVIDER_A}", dbname=database)) as pg:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            pg.execute(f"set role provider_{PROVIDER_B}")
        pg.rollback()
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            pg.execute("set role bi_reader")


def test_a_region_hiding_its_rows_shows_a_provider_only_its_own_and_the_dimensions(
    postgres_cluster, database_hiding_region_rows
):
    provider_a = f"provider_{PROVIDER_A}"
    query = "select scope_type, scope_code from public_marts.kpi_values"
    assert rows(postgres_cluster, database_hiding_region_rows, provider_a, query) == [("provider", PROVIDER_A)]
    assert rows(postgres_cluster, database_hiding_region_rows, provider_a, "select count(*) from public_marts.dim_date")
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        rows(postgres_cluster, database_hiding_region_rows, provider_a, "select * from public_marts.fct_budget")
    assert len(rows(postgres_cluster, database_hiding_region_rows, "bi_reader", query)) == 4

"""The serving loader (orchestration/serving/load.py) against the session's PostgreSQL: every tier table served row
for row with its types and dbt descriptions; a refresh is all or nothing, for a failing COPY, a killed connection and
a server killed in mid-load, and a reader querying in a loop while refreshes publish."""

import datetime as dt
import shutil
import tempfile
import threading
import uuid
from decimal import Decimal
from pathlib import Path

import duckdb
import psycopg
import pytest

from orchestration.serving.cluster import Cluster, free_port
from orchestration.serving.load import APPLICATION_NAME, TIERS, ServingLoadError, publish_tiers
from tests.serving_tiers import write_manifest, write_tiers


@pytest.fixture
def database(postgres_cluster):
    """A fresh database in the session's cluster; returns its name."""
    name = f"serving_{uuid.uuid4().hex[:12]}"
    postgres_cluster.create_database(name)
    return name


def served_rows(conninfo: str, schema: str, table: str) -> list[tuple]:
    with psycopg.connect(conninfo) as pg:
        return sorted(pg.execute(f'select * from "{schema}"."{table}"').fetchall(), key=repr)


def served_tables(conninfo: str) -> set[tuple[str, str]]:
    with psycopg.connect(conninfo) as pg:
        query = (
            "select schemaname, tablename from pg_tables where schemaname not in ('pg_catalog', 'information_schema')"
        )
        return set(pg.execute(query).fetchall())


def test_every_tier_table_is_served_row_for_row(postgres_cluster, database, tmp_path):
    duckdb_path = write_tiers(tmp_path / "warehouse.duckdb")
    loaded = publish_tiers(duckdb_path, postgres_cluster.conninfo(dbname=database))
    conninfo = postgres_cluster.conninfo(dbname=database)
    con = duckdb.connect(str(duckdb_path), read_only=True)
    expected = {}
    for schema, table in con.execute("select table_schema, table_name from information_schema.tables").fetchall():
        expected[(TIERS[schema], table)] = sorted(
            con.execute(f'select * from "{schema}"."{table}"').fetchall(), key=repr
        )
    con.close()
    assert served_tables(conninfo) == set(expected)
    for (schema, table), rows in expected.items():
        assert served_rows(conninfo, schema, table) == rows, f"{schema}.{table}"
    assert {(table.schema, table.name): table.rows for table in loaded} == {
        key: len(rows) for key, rows in expected.items()
    }


def test_values_keep_their_meaning_across_the_type_mapping(postgres_cluster, database, tmp_path):
    probe = """
        create table public_marts.types_probe as select
            170141183460469231731687303715884105727::hugeint as huge, 12.34::decimal(18, 2) as amount,
            '' as empty_text, null::varchar as null_text, 'a"b,c' || chr(10) || 'd' as awkward_text,
            [1, 2] as list_value, {'k': 'v'} as struct_value, timestamptz '2024-01-01 10:00:00+01' as moment,
            true as flag, 'x'::blob as bytes, 'nan'::double as not_a_number;
    """
    publish_tiers(write_tiers(tmp_path / "warehouse.duckdb", probe), postgres_cluster.conninfo(dbname=database))
    (row,) = served_rows(postgres_cluster.conninfo(dbname=database), "public_marts", "types_probe")
    assert row[:10] == (
        Decimal("170141183460469231731687303715884105727"),
        Decimal("12.34"),
        "",
        None,
        'a"b,c\nd',
        [1, 2],
        {"k": "v"},
        dt.datetime(2024, 1, 1, 9, 0, tzinfo=dt.UTC),
        True,
        b"x",
    )
    assert row[10] != row[10]  # NaN


def test_comments_and_indexes_come_from_the_dbt_docs_of_the_tier_models(postgres_cluster, database, tmp_path):
    publish_tiers(
        write_tiers(tmp_path / "warehouse.duckdb"),
        postgres_cluster.conninfo(dbname=database),
        manifest_path=write_manifest(tmp_path / "manifest.json"),
    )
    with psycopg.connect(postgres_cluster.conninfo(dbname=database)) as pg:
        table_comment, column_comment, uncommented = pg.execute(
            """
            select obj_description('public_marts.kpi_values'::regclass, 'pg_class'),
                   col_description('public_marts.kpi_values'::regclass, 6),
                   obj_description('public_marts.fct_budget'::regclass, 'pg_class')
            """
        ).fetchone()
        indexes = pg.execute(
            "select tablename, indexdef from pg_indexes where schemaname = 'public_marts' order by 1, 2"
        ).fetchall()
    assert table_comment == "One row per KPI, scope and period; withheld counts are null."
    assert column_comment == "True when the count is below the threshold."
    assert uncommented is None
    assert [(table, indexdef.split(" USING ")[1]) for table, indexdef in indexes] == [
        ("dialogue_agenda", "btree (period)"),
        ("dialogue_agenda", "btree (provider_agb)"),
        ("dialogue_agenda", "btree (region_code, period)"),
        ("dim_provider", "btree (provider_agb)"),
        ("kpi_values", "btree (kpi_id, scope_type, period)"),
        ("kpi_values", "btree (period)"),
    ]


def test_a_failing_copy_leaves_the_previous_tiers_served(postgres_cluster, database, tmp_path):
    conninfo = postgres_cluster.conninfo(dbname=database)
    publish_tiers(write_tiers(tmp_path / "first.duckdb"), conninfo)
    before = {table: served_rows(conninfo, *table) for table in served_tables(conninfo)}
    # PostgreSQL text cannot hold a NUL character; DuckDB's VARCHAR can: the COPY of this table fails.
    unloadable = "create table analyst.zz_unloadable as select 'a' || chr(0) || 'b' as text_with_nul;"
    second = write_tiers(tmp_path / "second.duckdb", unloadable + "delete from public_marts.kpi_values;")
    with pytest.raises(ServingLoadError, match=r"while loading analyst\.zz_unloadable; nothing was changed"):
        publish_tiers(second, conninfo)
    assert {table: served_rows(conninfo, *table) for table in served_tables(conninfo)} == before


def publish_and_interrupt(conninfo: str, admin_conninfo: str, duckdb_path, interrupt) -> BaseException:
    """Publish `duckdb_path` in a thread and call `interrupt()` once the loader is copying table zz_big; returns the
    loader's error."""
    failure: list[BaseException] = []

    def publish():
        try:
            publish_tiers(duckdb_path, conninfo)
        except BaseException as error:  # noqa: BLE001 - handed to the test thread
            failure.append(error)

    loader = threading.Thread(target=publish)
    loader.start()
    copying = False
    with psycopg.connect(admin_conninfo, autocommit=True) as admin:
        while loader.is_alive() and not copying:
            query = "select pid from pg_stat_activity where application_name = %s and query ilike 'copy %%zz_big%%'"
            copying = bool(admin.execute(query, [APPLICATION_NAME]).fetchall())
    assert copying, "the loader finished before its COPY could be interrupted"
    interrupt()
    loader.join()
    assert len(failure) == 1 and isinstance(failure[0], ServingLoadError)
    return failure[0]


BIG_TABLE = "create table public_marts.zz_big as select range as n, 'row ' || range as label from range(3000000);"


def test_a_killed_loader_connection_leaves_the_previous_tiers_served(postgres_cluster, database, tmp_path):
    conninfo = postgres_cluster.conninfo(dbname=database)
    publish_tiers(write_tiers(tmp_path / "first.duckdb"), conninfo)
    before = {table: served_rows(conninfo, *table) for table in served_tables(conninfo)}

    def terminate_the_loader():
        with psycopg.connect(postgres_cluster.conninfo(), autocommit=True) as admin:
            query = "select pg_terminate_backend(pid) from pg_stat_activity where application_name = %s"
            assert admin.execute(query, [APPLICATION_NAME]).fetchall() == [(True,)]

    second = write_tiers(tmp_path / "second.duckdb", BIG_TABLE)
    error = publish_and_interrupt(conninfo, postgres_cluster.conninfo(), second, terminate_the_loader)
    assert "while loading public_marts.zz_big" in str(error)
    assert {table: served_rows(conninfo, *table) for table in served_tables(conninfo)} == before


def test_a_server_killed_during_a_load_comes_back_with_the_previous_tiers(tmp_path):
    directory = Path(tempfile.mkdtemp(prefix="pg-crash-"))
    cluster = Cluster(directory=directory, port=free_port())
    cluster.init()
    cluster.start()
    try:
        cluster.create_database("warehouse")
        conninfo = cluster.conninfo(dbname="warehouse")
        publish_tiers(write_tiers(tmp_path / "first.duckdb"), conninfo)
        before = {table: served_rows(conninfo, *table) for table in served_tables(conninfo)}
        second = write_tiers(tmp_path / "second.duckdb", BIG_TABLE)
        error = publish_and_interrupt(conninfo, cluster.conninfo(), second, lambda: cluster.stop(mode="immediate"))
        assert "nothing was changed" in str(error)
        cluster.start()
        assert {table: served_rows(conninfo, *table) for table in served_tables(conninfo)} == before
    finally:
        cluster.stop()
        shutil.rmtree(directory, ignore_errors=True)


def test_a_reader_querying_during_refreshes_sees_one_whole_refresh_or_the_other(postgres_cluster, database, tmp_path):
    conninfo = postgres_cluster.conninfo(dbname=database)
    small = write_tiers(tmp_path / "small.duckdb")
    grown = write_tiers(
        tmp_path / "grown.duckdb",
        """
        insert into public_marts.kpi_values
            select 'youths_in_care', 'municipality', 'GM' || range, '2024-Q2', range, false from range(20000);
        insert into public_marts.fct_budget select 'GM' || range, 2025, range from range(10);
        create table public_marts.zz_padding as select range as n from range(500000);
        """,
    )
    publish_tiers(small, conninfo)
    reads, errors = [], []
    done = threading.Event()

    def read_in_a_loop():
        with psycopg.connect(postgres_cluster.conninfo(user="bi_reader", dbname=database), autocommit=True) as pg:
            while not done.is_set():
                try:
                    reads.append(
                        pg.execute(
                            """
                            select (select count(*) from public_marts.kpi_values),
                                   (select count(*) from public_marts.fct_budget),
                                   (select count(*) from public_marts.dim_date d
                                    join public_marts.kpi_values k on k.period = d.quarter_label)
                            """
                        ).fetchone()
                    )
                except psycopg.Error as error:
                    errors.append(error)

    reader = threading.Thread(target=read_in_a_loop)
    reader.start()
    try:
        for duckdb_path in (grown, small, grown):
            publish_tiers(duckdb_path, conninfo)
    finally:
        done.set()
        reader.join()
    # 2024-Q1 has 91 days; the grown refresh adds 20,000 KPI rows (2024-Q2 has 91 days too) and ten budget rows.
    whole = {(4, 2, 4 * 91), (20004, 12, 4 * 91 + 20000 * 91)}
    assert errors == []
    assert set(reads) == whole

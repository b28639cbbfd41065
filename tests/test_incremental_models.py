"""The incremental models keyed by the delivered file (macros/delivered_files.sql) give the rows of a full build.

The sample run's declaration lines are split by file: the first build sees half of the files (a full refresh), the
other half is then stored and the second build adds only what is new, as a refresh after a new quarter does. The
three tables must then hold exactly the rows of the sample run's full build (EXCEPT ALL both ways on DuckDB, row for
row on PostgreSQL). A close's data cut always rebuilds them: lines delivered after the cut leave the table.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import psycopg
import pytest

from tests.dbt_workspace import run_dbt
from tests.test_postgres_target import build_on_postgres, copy_tables, failures, row_differences

INCREMENTAL_TABLES = (
    "marts.fct_declaration_line",
    "analyst.fct_declaration_line",
    "audit_tier.declaration_line_lineage",
)
# One value: dagster-dbt takes the one argument after --select as the selection (dbt splits it on spaces). Only
# the tests of these models: a test that also reads a model built over all files (the netting lineage's
# relationship to fct_declaration_line) fails while the table holds half of them.
SELECTION = [
    "--select",
    "fct_declaration_line analyst_fct_declaration_line audit_declaration_line_lineage",
    "--indirect-selection",
    "cautious",
]
HOLD_BACK = """
    create table raw.held_back as
    select * from raw.ijw_declaration_lines
    where file_sha256 in (
        select file_sha256 from raw.ijw_declaration_lines group by file_sha256 order by file_sha256 offset {offset}
    )
"""
RELEASE = "insert into raw.ijw_declaration_lines select * from raw.held_back"


def files(con, table: str) -> int:
    return con.execute(f"select count(distinct file_sha256) from {table}").fetchone()[0]  # noqa: S608


@pytest.fixture(scope="module")
def split_files(sample_run) -> int:
    """How many of the sample's declaration files the first build sees (the rest land before the second)."""
    with duckdb.connect(str(sample_run["db"]), read_only=True) as con:
        delivered = files(con, "raw.ijw_declaration_lines")
    assert delivered >= 4, "the sample needs several declaration files to split"
    return delivered // 2


def differences(con, built: str, full: str) -> tuple[int, int]:
    """Rows of `built` not in `full` and of `full` not in `built`, duplicates counted."""
    return tuple(
        con.execute(f"select count(*) from (select * from {a} except all select * from {b})").fetchone()[0]  # noqa: S608
        for a, b in ((built, full), (full, built))
    )


def test_an_incremental_build_on_duckdb_equals_the_full_build(sample_run, split_files, tmp_path):
    db = tmp_path / "warehouse.duckdb"
    shutil.copy(sample_run["db"], db)
    with duckdb.connect(str(db)) as con:
        con.execute(HOLD_BACK.format(offset=split_files))
        con.execute(
            "delete from raw.ijw_declaration_lines where file_sha256 in (select file_sha256 from raw.held_back)"
        )
    run_dbt(db, ["build", "--full-refresh", *SELECTION])
    with duckdb.connect(str(db)) as con:
        assert [files(con, table) for table in INCREMENTAL_TABLES] == [split_files] * 3
        con.execute(RELEASE)
    run_dbt(db, ["build", *SELECTION])
    with duckdb.connect(str(db)) as con:
        con.execute(f"attach '{sample_run['db']}' as full_build (read_only)")
        for table in INCREMENTAL_TABLES:
            assert con.execute(f"select count(*) from {table}").fetchone()[0] > 0  # noqa: S608
            assert differences(con, table, f"full_build.{table}") == (0, 0), table


def test_a_data_cut_rebuilds_the_incremental_models(sample_run, tmp_path):
    db = tmp_path / "warehouse.duckdb"
    shutil.copy(sample_run["db"], db)
    with duckdb.connect(str(db), read_only=True) as con:
        cut, kept = con.execute(
            "select cut, (select count(*) from raw.ijw_declaration_lines where declaration_date <= cut) "
            "from (select quantile_disc(declaration_date, 0.5) as cut from raw.ijw_declaration_lines)"
        ).fetchone()
        assert 0 < kept < con.execute("select count(*) from marts.fct_declaration_line").fetchone()[0]
    # The staging view as well: the cut is its filter (macro within_data_cut).
    run_dbt(
        db,
        ["build", "--select", "stg_ijw__declaration_lines fct_declaration_line", "--indirect-selection", "cautious"],
        {"data_cut": cut.isoformat()},
    )
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute(
            "select count(*), max(declaration_date) <= ? from marts.fct_declaration_line", [cut]
        ).fetchone() == (kept, True)


def test_an_incremental_build_on_postgres_equals_the_full_build(sample_run, split_files, postgres_cluster, tmp_path):
    database = "dbt_incremental_models"
    postgres_cluster.create_database(database)
    conninfo = postgres_cluster.conninfo(dbname=database)
    copy_tables(Path(sample_run["db"]), conninfo, [("raw", "ijw_declaration_lines")])
    with psycopg.connect(conninfo, autocommit=True) as pg:
        pg.execute(HOLD_BACK.format(offset=split_files))
        pg.execute("delete from raw.ijw_declaration_lines where file_sha256 in (select file_sha256 from raw.held_back)")
    # Only the models and the staging view they read: their tests read dimensions this database does not hold.
    models = ["--select", f"stg_ijw__declaration_lines {SELECTION[1]}", "--exclude-resource-type", "test"]
    for step, arguments in enumerate((["--full-refresh", *models], models)):
        invocation = build_on_postgres(postgres_cluster, database, arguments, tmp_path / f"build{step}")
        assert invocation.is_successful() and not failures(invocation), failures(invocation)
        with psycopg.connect(conninfo, autocommit=True) as pg:
            if step == 0:
                assert [files(pg, table) for table in INCREMENTAL_TABLES] == [split_files] * 3
                pg.execute(RELEASE)
    with duckdb.connect(str(sample_run["db"]), read_only=True) as duck, psycopg.connect(conninfo) as pg:
        for table in INCREMENTAL_TABLES:
            columns = [row[0] for row in duck.execute(f"select * from {table} limit 0").description]  # noqa: S608
            select = f"select {', '.join(columns)} from {table}"  # noqa: S608
            full = duck.execute(select).fetchall()
            assert full and row_differences(full, pg.execute(select).fetchall()) == [], table

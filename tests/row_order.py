"""Store a warehouse's tables again with their rows in another order: the same data as another run's parallel scans
may leave it, for the tests that require the same publication whatever the stored order
(tests/test_reproducible_publication.py, the shared sample run in tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import duckdb


def reorder_every_table(db: Path, schema: str) -> None:
    """Store every table of `schema` again with its rows in reverse order (constraints kept)."""
    with duckdb.connect(str(db)) as con:
        tables = [
            name
            for (name,) in con.execute(
                "select table_name from duckdb_tables() where schema_name = ? order by table_name", [schema]
            ).fetchall()
        ]
        for table in tables:
            con.execute(f"create temporary table reversed as select * from {schema}.{table} order by rowid desc")
            con.execute(f"delete from {schema}.{table}")
            con.execute(f"insert into {schema}.{table} select * from reversed")
            con.execute("drop table reversed")

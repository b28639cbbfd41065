"""The content digest of a DuckDB table or query: its row count and the sum of its rows' hashes.

One function for every "did this table change?" question (the dbt build state's fingerprint, the remembered check
results): a full scan, far cheaper than building or validating what reads the table; order-free, so DuckDB's
parallel inserts and a table stored again in another order do not count as a change; one changed value does.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb


def row_digest(con: duckdb.DuckDBPyConnection, relation: str, parameters: Sequence[object] = ()) -> list[int | str]:
    """[row count, summed row hashes as text] of `relation`: a table name or a query in parentheses."""
    rows, hashes = con.execute(
        f"select count(*), coalesce(sum(hash(t)), 0)::varchar from {relation} as t",  # noqa: S608 - our own names
        list(parameters),
    ).fetchone()
    return [rows, hashes]

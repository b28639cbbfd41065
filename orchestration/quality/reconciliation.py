"""No data loss, asserted from the warehouse itself: the ledger against the raw and quarantine tables.

Per landed file (ledger status 'loaded' or 'rejected') and in total over the files of a source:
- records read = accepted + quarantined, and signed cents read = accepted + quarantined (the ledger's own sums);
- accepted = the rows that file left in its raw table (count, and the sum of amount_cents where the table has money);
- quarantined = its audit.quarantine rows that name a record (record_ref not null), count and cents;
- a rejected file has exactly one file-level quarantine row (record_ref null), a loaded file none;
- a 'duplicate' ledger row carries no records and no cents, and no raw row exists without its ledger row.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import duckdb

from orchestration.warehouse.table_digest import row_digest


@dataclass(frozen=True)
class Mismatch:
    file_path: str
    file_sha256: str
    problem: str

    def __str__(self) -> str:
        return f"{self.file_path} ({self.file_sha256[:12]}): {self.problem}"


def _raw_money_column(con: duckdb.DuckDBPyConnection, table: str) -> str:
    schema, name = table.split(".")
    columns = {
        row[0]
        for row in con.execute(
            "select column_name from information_schema.columns where table_schema = ? and table_name = ?",
            [schema, name],
        ).fetchall()
    }
    return "coalesce(amount_cents, 0)" if "amount_cents" in columns else "0"


def reconcile(con: duckdb.DuckDBPyConnection, table: str, message_types: Collection[str]) -> list[Mismatch]:
    """Every way the files of message_types (ledger) disagree with `table` and audit.quarantine; empty when none."""
    money = _raw_money_column(con, table)
    types = sorted(message_types)
    per_file = con.execute(
        f"""
        with accepted as (
            select file_sha256, count(*) as records, sum({money}) as cents from {table} group by file_sha256
        ),
        quarantined as (
            select file_sha256,
                   count(record_ref) as records,
                   sum(case when record_ref is not null then amount_cents else 0 end) as cents,
                   count(*) - count(record_ref) as file_rows
            from audit.quarantine group by file_sha256
        ),
        ledger as (
            select * from audit.ingest_ledger
            where status <> 'duplicate' and message_type in (select unnest(?::varchar[]))
        ),
        per_file as (
            select l.file_path, l.file_sha256, l.status,
                   l.records_read, l.records_accepted, l.records_quarantined,
                   l.amount_cents_read, l.amount_cents_accepted, l.amount_cents_quarantined,
                   coalesce(a.records, 0) as raw_records, coalesce(a.cents, 0)::bigint as raw_cents,
                   coalesce(q.records, 0) as q_records, coalesce(q.cents, 0)::bigint as q_cents,
                   coalesce(q.file_rows, 0) as q_file_rows,
                   count(*) over (partition by l.file_sha256) as ledger_rows
            from ledger l
            left join accepted a using (file_sha256)
            left join quarantined q using (file_sha256)
        )
        -- Only the files where a comparison below fails (the ledger's columns are not null): a quarter's tens of
        -- thousands of files need not travel to Python to be found in order.
        select * from per_file
        where records_read <> records_accepted + records_quarantined
           or amount_cents_read <> amount_cents_accepted + amount_cents_quarantined
           or (raw_records, raw_cents) <> (records_accepted, amount_cents_accepted)
           or (q_records, q_cents) <> (records_quarantined, amount_cents_quarantined)
           or q_file_rows <> (case when status = 'rejected' then 1 else 0 end)
           or ledger_rows <> 1
        order by file_path
        """,  # noqa: S608 - table is one of ours
        [types],
    ).fetchall()
    mismatches: list[Mismatch] = []
    for row in per_file:
        path, sha, status, read, accepted, quarantined, cents_read, cents_accepted, cents_quarantined = row[:9]
        raw_records, raw_cents, q_records, q_cents, q_file_rows, ledger_rows = row[9:]

        def problem(text: str, path: str = path, sha: str = sha) -> None:
            mismatches.append(Mismatch(path, sha, text))

        if read != accepted + quarantined:
            problem(f"ledger records read {read} != accepted {accepted} + quarantined {quarantined}")
        if cents_read != cents_accepted + cents_quarantined:
            problem(f"ledger cents read {cents_read} != accepted {cents_accepted} + quarantined {cents_quarantined}")
        if (raw_records, raw_cents) != (accepted, cents_accepted):
            problem(
                f"{table} holds {raw_records} rows / {raw_cents} cents, ledger accepted {accepted} / {cents_accepted}"
            )
        if (q_records, q_cents) != (quarantined, cents_quarantined):
            problem(
                f"audit.quarantine holds {q_records} records / {q_cents} cents, "
                f"ledger quarantined {quarantined} / {cents_quarantined}"
            )
        if q_file_rows != (1 if status == "rejected" else 0):
            problem(f"{q_file_rows} file-level quarantine rows for a {status} file")
        if ledger_rows != 1:
            problem(f"{ledger_rows} loaded/rejected ledger rows for one content (sha256)")
    mismatches += _orphans_and_duplicates(con, table, types)
    return mismatches


def _orphans_and_duplicates(con: duckdb.DuckDBPyConnection, table: str, types: list[str]) -> list[Mismatch]:
    orphans = con.execute(
        f"""
        select any_value(file_path), file_sha256, count(*) from {table}
        where file_sha256 not in (select file_sha256 from audit.ingest_ledger where status <> 'duplicate')
        group by file_sha256 order by 1
        """  # noqa: S608 - table is one of ours
    ).fetchall()
    duplicates = con.execute(
        """
        select file_path, file_sha256 from audit.ingest_ledger
        where status = 'duplicate' and message_type in (select unnest(?::varchar[]))
          and (records_read, amount_cents_read) <> (0, 0)
        order by 1
        """,
        [types],
    ).fetchall()
    return [Mismatch(path, sha, f"{count} rows in {table} without a ledger row") for path, sha, count in orphans] + [
        Mismatch(path, sha, "a duplicate ledger row carries records or cents") for path, sha in duplicates
    ]


def inputs_digest(con: duckdb.DuckDBPyConnection, table: str, message_types: Collection[str]) -> list:
    """The digests of every row reconcile() and totals() read: the columns of `table` they look at, the ledger rows of
    message_types or of a file in `table`, and the quarantine rows of the files of message_types."""
    types = sorted(message_types)
    of_types = "select file_sha256 from audit.ingest_ledger where message_type in (select unnest(?::varchar[]))"
    # `table` is one of ours, never input (S608).
    accepted = f"(select file_path, file_sha256, {_raw_money_column(con, table)} from {table})"  # noqa: S608
    files = f"{of_types} union select file_sha256 from {table}"  # noqa: S608
    ledger = f"(select * from audit.ingest_ledger where file_sha256 in ({files}))"  # noqa: S608
    quarantined = f"(select * from audit.quarantine where file_sha256 in ({of_types}))"  # noqa: S608
    return [
        types,
        row_digest(con, accepted),
        row_digest(con, ledger, [types]),
        row_digest(con, quarantined, [types]),
    ]


def totals(con: duckdb.DuckDBPyConnection, message_types: Collection[str]) -> dict[str, int]:
    """Records and cents read, accepted and quarantined over every loaded or rejected file of message_types."""
    row = con.execute(
        """
        select count(*), coalesce(sum(records_read), 0), coalesce(sum(records_accepted), 0),
               coalesce(sum(records_quarantined), 0), coalesce(sum(amount_cents_read), 0),
               coalesce(sum(amount_cents_accepted), 0), coalesce(sum(amount_cents_quarantined), 0)
        from audit.ingest_ledger
        where status <> 'duplicate' and message_type in (select unnest(?::varchar[]))
        """,
        [sorted(message_types)],
    ).fetchone()
    names = ("files", "records_read", "records_accepted", "records_quarantined", "cents_read", "cents_accepted")
    return dict(zip((*names, "cents_quarantined"), (int(value) for value in row), strict=True))

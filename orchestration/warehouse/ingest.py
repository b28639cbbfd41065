"""Loading one landed file: duplicate check, accepted rows, quarantine rows and the ledger row in one transaction."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from orchestration.ijw.bsn import redact_bsns
from orchestration.ijw.reader import ParsedFile

QUARANTINE_COLUMNS = [
    "file_sha256",
    "file_path",
    "message_type",
    "record_ref",
    "reason_code",
    "reason",
    "amount_cents",
    "quarantined_at",
    "run_id",
    "municipality_code",
    "provider_agb",
    "period_start",
]


@dataclass(frozen=True)
class LedgerEntry:
    file_path: str
    file_sha256: str
    message_type: str | None
    records_read: int
    records_accepted: int
    records_quarantined: int
    amount_cents_read: int
    amount_cents_accepted: int
    amount_cents_quarantined: int
    status: str
    ingested_at: dt.datetime
    run_id: str


LEDGER_COLUMNS = [field.name for field in dataclasses.fields(LedgerEntry)]
_ledger_values = operator.attrgetter(*LEDGER_COLUMNS)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


PRIOR_CATALOG = "prior"
"""The warehouse as a staging database sees it (orchestration/warehouse/ingest_lanes.py): attached read-only."""


def known_rows(con: duckdb.DuckDBPyConnection, table: str) -> str:
    """table as the rules that look back see it: in the warehouse, the table; in a lane's staging database, what the
    lane loaded so far and what the warehouse held when the lane started."""
    attached = con.execute("select count(*) from duckdb_databases() where database_name = ?", [PRIOR_CATALOG])
    if attached.fetchone()[0]:
        return f"(select * from {table} union all by name select * from {PRIOR_CATALOG}.{table})"  # noqa: S608
    return table


def already_ingested(con: duckdb.DuckDBPyConnection, sha256s: list[str]) -> set[str]:
    """Which of these contents were loaded or rejected before, under any name."""
    rows = con.execute(
        f"select distinct file_sha256 from {known_rows(con, 'audit.ingest_ledger')} "  # noqa: S608 - our own table
        "where file_sha256 in (select unnest(?)) and status in ('loaded', 'rejected')",
        [sha256s],
    ).fetchall()
    return {sha256 for (sha256,) in rows}


def record_duplicate(
    con: duckdb.DuckDBPyConnection, path: Path, sha256: str, message_type: str | None, run_id: str
) -> LedgerEntry:
    entry = duplicate_entry(path, sha256, message_type, run_id)
    insert_ledger(con, entry)
    return entry


def duplicate_entry(path: Path, sha256: str, message_type: str | None, run_id: str) -> LedgerEntry:
    """The ledger row of a content loaded or rejected before: no records, no cents."""
    return LedgerEntry(str(path), sha256, message_type, 0, 0, 0, 0, 0, 0, "duplicate", _now(), run_id)


def load_parsed_file(
    con: duckdb.DuckDBPyConnection, parsed: ParsedFile, sha256: str, run_id: str, table: str
) -> LedgerEntry:
    """Write one file's accepted records into table, its quarantine rows and its ledger row atomically."""
    return load_parsed_files(con, [(parsed, sha256)], run_id, table)[0]


StagedInsert = Callable[[duckdb.DuckDBPyConnection, list[tuple[ParsedFile, str]], dt.datetime, str], None]
"""Inserts the accepted records of a batch's staged files (con, batch, ingested_at, run_id)."""
LedgerFollowUp = Callable[[duckdb.DuckDBPyConnection, str], None]
"""Runs in a batch's transaction after its ledger rows, given the name of a relation holding them (con, relation)."""


def load_parsed_files(
    con: duckdb.DuckDBPyConnection,
    batch: list[tuple[ParsedFile, str]],
    run_id: str,
    table: str,
    insert_staged: StagedInsert | None = None,
    duplicates: Sequence[LedgerEntry] = (),
    after_ledger: LedgerFollowUp | None = None,
) -> list[LedgerEntry]:
    """Write a batch of files (records, quarantine rows, ledger rows, and the ledger rows of its duplicates) in one
    transaction; the records of staged files are inserted by insert_staged, and after_ledger sees the batch's ledger
    rows inside the transaction (the landing inventory marks the files read).

    All or nothing per batch, so never part of a file: a run killed mid-batch leaves none of the batch, and the next
    run loads it again. One transaction per batch instead of per file because a commit costs far more than a small
    file's rows.
    """
    if not batch and not duplicates:
        return []
    now = _now()
    entries = [*duplicates, *(_ledger_entry(parsed, sha256, run_id, now) for parsed, sha256 in batch)]
    quarantine = [row for parsed, sha256 in batch for row in _quarantine_rows(parsed, sha256, run_id, now)]
    unstaged = [(parsed, sha256) for parsed, sha256 in batch if not parsed.staged]
    con.execute("begin transaction")
    try:
        if any(parsed.records for parsed, _ in unstaged):
            frame = _records_frame(unstaged)
            frame["ingested_at"], frame["run_id"] = now, run_id
            _insert_frame(con, table, frame)
        if insert_staged is not None:
            insert_staged(con, batch, now, run_id)
        # executemany inserts row by row; a registered frame goes in as one statement.
        if quarantine:
            _insert_frame(con, "audit.quarantine", pd.DataFrame.from_records(quarantine, columns=QUARANTINE_COLUMNS))
        ledger = pd.DataFrame.from_records([_ledger_values(entry) for entry in entries], columns=LEDGER_COLUMNS)
        _insert_frame(con, "audit.ingest_ledger", ledger)
        if after_ledger is not None:
            con.register("batch_ledger", ledger)
            try:
                after_ledger(con, "batch_ledger")
            finally:
                con.unregister("batch_ledger")
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return entries


def _insert_frame(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    con.register("rows_to_insert", frame)
    con.execute(f"insert into {table} by name select * from rows_to_insert")  # noqa: S608 - our own table names
    con.unregister("rows_to_insert")


def _ledger_entry(parsed: ParsedFile, sha256: str, run_id: str, now: dt.datetime) -> LedgerEntry:
    accepted, quarantined = parsed.amount_cents_accepted, parsed.amount_cents_quarantined
    return LedgerEntry(
        file_path=str(parsed.path),
        file_sha256=sha256,
        message_type=parsed.message_type,
        records_read=len(parsed.records) + len(parsed.rejections),
        records_accepted=len(parsed.records),
        records_quarantined=len(parsed.rejections),
        amount_cents_read=accepted + quarantined,
        amount_cents_accepted=accepted,
        amount_cents_quarantined=quarantined,
        status="rejected" if parsed.file_rejection else "loaded",
        ingested_at=now,
        run_id=run_id,
    )


def _quarantine_rows(parsed: ParsedFile, sha256: str, run_id: str, now: dt.datetime) -> list[tuple]:
    path = str(parsed.path)
    rows = [
        (
            sha256,
            path,
            parsed.message_type,
            redact_bsns(r.record_ref),
            r.reason_code,
            redact_bsns(f"{path}: {r.reason}"),
            r.amount_cents,
            now,
            run_id,
            r.municipality_code,
            r.provider_agb,
            r.period_start,
        )
        for r in parsed.rejections
    ]
    if parsed.file_rejection is not None:
        # The file-level row carries the reason once; its cents are already on the per-record rows above.
        rejection = parsed.file_rejection
        rows.append(
            (
                sha256,
                path,
                parsed.message_type,
                None,
                rejection.reason_code,
                redact_bsns(f"{path}: {rejection}"),
                0,
                now,
                run_id,
                None,
                None,
                None,
            )
        )
    return rows


def _records_frame(batch: list[tuple[ParsedFile, str]]) -> pd.DataFrame:
    first = next(parsed.records[0] for parsed, _ in batch if parsed.records)
    names = [field.name for field in dataclasses.fields(first)]
    values = operator.attrgetter(*names)
    rows = [(*values(record), str(parsed.path), sha256) for parsed, sha256 in batch for record in parsed.records]
    return pd.DataFrame.from_records(rows, columns=[*names, "file_path", "file_sha256"])


def insert_ledger(con: duckdb.DuckDBPyConnection, entry: LedgerEntry) -> None:
    con.execute(
        "insert into audit.ingest_ledger values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        list(dataclasses.astuple(entry)),
    )


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def ledger_metadata(entries: list[LedgerEntry], seconds: float) -> dict[str, int | float]:
    """What a data engineer wants to see on a materialization: files, records and cents, loaded and quarantined."""

    def total(name: str) -> int:
        return sum(getattr(entry, name) for entry in entries)

    return {
        "files_loaded": sum(entry.status == "loaded" for entry in entries),
        "files_rejected": sum(entry.status == "rejected" for entry in entries),
        "files_duplicate": sum(entry.status == "duplicate" for entry in entries),
        "records_accepted": total("records_accepted"),
        "records_quarantined": total("records_quarantined"),
        "cents_accepted": total("amount_cents_accepted"),
        "cents_quarantined": total("amount_cents_quarantined"),
        "dagster/row_count": total("records_accepted"),
        "duration_seconds": round(seconds, 2),
    }

"""Loading one landed file: duplicate check, accepted rows, quarantine rows and the ledger row in one transaction."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from orchestration.ijw.reader import ParsedFile


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


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def already_ingested(con: duckdb.DuckDBPyConnection, sha256: str) -> bool:
    """A file with the same content was loaded or rejected before, under any name."""
    row = con.execute(
        "select count(*) from audit.ingest_ledger where file_sha256 = ? and status in ('loaded', 'rejected')",
        [sha256],
    ).fetchone()
    return bool(row and row[0])


def record_duplicate(
    con: duckdb.DuckDBPyConnection, path: Path, sha256: str, message_type: str | None, run_id: str
) -> LedgerEntry:
    entry = LedgerEntry(str(path), sha256, message_type, 0, 0, 0, 0, 0, 0, "duplicate", _now(), run_id)
    _insert_ledger(con, entry)
    return entry


def load_parsed_file(
    con: duckdb.DuckDBPyConnection, parsed: ParsedFile, sha256: str, run_id: str, table: str
) -> LedgerEntry:
    """Write the file's accepted records into table, its quarantine rows and its ledger row atomically."""
    now = _now()
    path = str(parsed.path)
    entry = LedgerEntry(
        file_path=path,
        file_sha256=sha256,
        message_type=parsed.message_type,
        records_read=len(parsed.records) + len(parsed.rejections),
        records_accepted=len(parsed.records),
        records_quarantined=len(parsed.rejections),
        amount_cents_read=parsed.amount_cents_read,
        amount_cents_accepted=parsed.amount_cents_accepted,
        amount_cents_quarantined=parsed.amount_cents_quarantined,
        status="rejected" if parsed.file_rejection else "loaded",
        ingested_at=now,
        run_id=run_id,
    )
    quarantine = [
        (
            sha256,
            path,
            parsed.message_type,
            r.record_ref,
            r.reason_code,
            f"{path}: {r.reason}",
            r.amount_cents,
            now,
            run_id,
        )
        for r in parsed.rejections
    ]
    if parsed.file_rejection is not None:
        rejection = parsed.file_rejection
        # The file-level row carries the reason once; its cents are already on the per-record rows above.
        quarantine.append(
            (sha256, path, parsed.message_type, None, rejection.reason_code, f"{path}: {rejection}", 0, now, run_id)
        )

    con.execute("begin transaction")
    try:
        if parsed.records:
            records = pd.DataFrame([dataclasses.asdict(record) for record in parsed.records])
            records["file_path"], records["file_sha256"], records["ingested_at"], records["run_id"] = (
                path,
                sha256,
                now,
                run_id,
            )
            con.register("accepted_records", records)
            con.execute(f"insert into {table} by name select * from accepted_records")  # noqa: S608 - table is ours
            con.unregister("accepted_records")
        if quarantine:
            con.executemany("insert into audit.quarantine values (?, ?, ?, ?, ?, ?, ?, ?, ?)", quarantine)
        _insert_ledger(con, entry)
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return entry


def _insert_ledger(con: duckdb.DuckDBPyConnection, entry: LedgerEntry) -> None:
    con.execute(
        "insert into audit.ingest_ledger values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        list(dataclasses.astuple(entry)),
    )


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)

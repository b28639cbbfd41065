"""The cross-file declaration rules (TR389, CD060) applied against what the warehouse already holds."""

from __future__ import annotations

import duckdb

from orchestration.ijw.declaration_rules import DebitBook, apply_cross_file_rules
from orchestration.ijw.reader import ParsedFile


def book_for(con: duckdb.DuckDBPyConnection, parsed: ParsedFile) -> DebitBook:
    """Accepted debits and credits of this file's providers in this file's product periods.

    A credit mirrors the debit it cancels (same allocation, product and period), so the periods in the file bound
    every earlier line a rule can refer to; loading only those keeps the lookup proportional to the file.
    """
    book = DebitBook()
    keys = sorted({(line.provider_agb, line.period_start) for line in parsed.records})
    if not keys:
        return book
    rows = con.execute(
        """
        select provider_agb, reference_number, previous_reference_number, debit_credit,
               allocation_number, product_code, period_start
        from raw.ijw_declaration_lines
        where (provider_agb, period_start) in (select unnest(?), unnest(?))
        """,
        [[provider for provider, _ in keys], [period for _, period in keys]],
    ).fetchall()
    for provider, reference, previous, debit_credit, allocation, product, period in rows:
        if debit_credit == "C":
            book.credited.add((provider, previous))
        else:
            book.debits[(provider, reference)] = (provider, allocation, product, period)
    return book


def apply_declaration_history(con: duckdb.DuckDBPyConnection, parsed: ParsedFile) -> None:
    """Move lines that break TR389 or CD060 from parsed.records to parsed.rejections."""
    if parsed.file_rejection is not None or not parsed.records:
        return
    accepted, rejected = apply_cross_file_rules(parsed.records, book_for(con, parsed))
    parsed.records = accepted
    for verdict in rejected:
        parsed.reject_record(
            verdict.line,
            verdict.reason_code,
            f"Prestatie {verdict.line.reference_number} at line {verdict.line.source_line}: {verdict.reason}",
            verdict.line.record_ref,
        )

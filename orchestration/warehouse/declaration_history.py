"""The cross-file declaration rules (TR389, CD060) applied against what the warehouse already holds."""

from __future__ import annotations

import duckdb

from orchestration.ijw.declaration_rules import DebitBook, apply_cross_file_rules, debit_place
from orchestration.ijw.reader import record_place
from orchestration.warehouse.load import ParsedFile, known_rows


def book_for(con: duckdb.DuckDBPyConnection, batch: list[ParsedFile]) -> DebitBook:
    """Accepted debits and credits of the batch's providers in the batch's product periods, and which of the batch's
    references those providers delivered before (TR314).

    A credit mirrors the debit it cancels (same allocation, product and period), so the periods in the batch bound
    every earlier line a rule can refer to; loading only those keeps the lookup proportional to the batch.
    """
    book = DebitBook()
    lines = [line for parsed in batch for line in parsed.records]
    keys = sorted({(line.provider_agb, line.period_start) for line in lines})
    if not keys:
        return book
    known = known_rows(con, "raw.ijw_declaration_lines")
    rows = con.execute(
        f"""
        select provider_agb, reference_number, previous_reference_number, debit_credit,
               allocation_number, product_code, period_start, municipality_code, client_key, abs(amount_cents),
               file_path, source_line, source_record
        from {known}
        where (provider_agb, period_start) in (select unnest(?), unnest(?))
        """,  # noqa: S608 - our own table
        [[provider for provider, _ in keys], [period for _, period in keys]],
    ).fetchall()
    references = sorted({(line.provider_agb, line.reference_number) for line in lines})
    book.references.update(
        con.execute(
            f"""
            select provider_agb, reference_number from {known}
            where (provider_agb, reference_number) in (select unnest(?), unnest(?))
            """,  # noqa: S608 - our own table
            [[provider for provider, _ in references], [reference for _, reference in references]],
        ).fetchall()
    )
    # Credits first, so that a debit loaded after its credit is not counted as open.
    for provider, reference, previous, debit_credit, *_ in rows:
        if debit_credit == "C":
            book.add_credit(provider, reference, previous)
    for (
        provider,
        reference,
        _previous,
        debit_credit,
        allocation,
        product,
        period,
        municipality,
        client,
        cents,
        *place,
    ) in rows:
        if debit_credit != "C":
            book.add_debit(
                provider,
                reference,
                (provider, allocation, product, period),
                (municipality, client, allocation, product, period, cents),
                debit_place(reference, *place),
            )
    return book


def apply_declaration_history(con: duckdb.DuckDBPyConnection, batch: list[ParsedFile]) -> None:
    """Move lines that break TR389 or CD060 from records to rejections, file by file in batch order, each file
    seeing the warehouse and the files before it in the batch."""
    book = book_for(con, [parsed for parsed in batch if parsed.file_rejection is None])
    for parsed in batch:
        _apply(parsed, book)


def _apply(parsed: ParsedFile, book: DebitBook) -> None:
    if parsed.file_rejection is not None or not parsed.records:
        return
    accepted, rejected = apply_cross_file_rules(parsed.records, book, str(parsed.path))
    parsed.records = accepted
    for verdict in rejected:
        parsed.reject_record(
            verdict.line,
            verdict.reason_code,
            f"Prestatie {verdict.line.reference_number} "
            f"{record_place(verdict.line.source_line, verdict.line.source_record)}: {verdict.reason}",
            verdict.line.record_ref,
        )

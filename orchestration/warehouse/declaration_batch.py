"""A batch of JW323 files with every line rule decided once, in SQL on columns.

Each file's lines come as texts from orchestration/ijw/jw323_texts.py (no rule checked there); one query over the
batch then gives every line either its typed values or the reason code and message of the first rule it breaks, in the
order _line_rules lists them (built from the kinds in record_rules.py; a line whose amount cannot be read keeps 0
cents, and one before its Declaratie's fields makes the file HEADER_INVALID). The file rules follow (reader.finish_file:
what stopped the reading, NO_RECORDS, the XSD when IJW_XSD_DIR is set, then CS340, FUTURE_DATE and TR358 in
jw323.SPEC), then the cross-file rules (TR314, TR389, CD060: history_rules.py) on the accepted lines, kept as
DeclaredLine tuples.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import NamedTuple

import duckdb
import numpy as np
import pandas as pd
from lxml import etree

from orchestration.ijw import jw323
from orchestration.ijw.jw323_texts import LINE_COLUMNS, DeclarationFile, read_declaration_file
from orchestration.ijw.pseudonym import Pseudonymiser
from orchestration.ijw.reader import MessageSpec, finish_file
from orchestration.ijw.safe_xml import MessageRejected
from orchestration.warehouse.load import ParsedFile, Rejection, StagedInsert
from orchestration.warehouse.record_rules import Rules, rule_functions


class DeclaredLine(NamedTuple):
    """What the cross-file rules, the quarantine and the ledger need of a line the batch query accepted."""

    ordinal: int
    """The line's row in the batch's staged lines."""
    provider_agb: str
    municipality_code: str
    client_key: str
    declaration_number: str
    reference_number: str
    previous_reference_number: str | None
    allocation_number: int
    product_code: str
    period_start: dt.date
    debit_credit: str
    amount_cents: int
    source_line: int
    source_record: int

    @property
    def is_credit(self) -> bool:
        return self.debit_credit == "C"

    @property
    def record_ref(self) -> str:
        return f"{self.declaration_number}/{self.reference_number}"


def _line_rules(rules: Rules) -> None:
    """The line rules in the order they are checked; a line whose amount cannot be read keeps 0 cents."""
    rules.number("amount", "IngediendBedrag")
    rules.add(
        f"amount_value > {jw323.MAX_AMOUNT_CENTS}",
        "AMOUNT_OUT_OF_RANGE",
        f"'IngediendBedrag ' || amount_value || ' exceeds LDT_Bedrag''s {jw323.MAX_AMOUNT_CENTS}'",
    )
    rules.client_error()
    rules.add(
        "declaration_number is null or declaration_period_start is null or declaration_date is null",
        "HEADER_INVALID",
        "'Declaratie lacks DeclaratieNummer, DeclaratiePeriode or dagtekening'",
    )
    rules.required("reference", "ProductReferentie/ReferentieNummer")
    rules.code("debit_credit", "codelists/cod043_debit_credit", "DEBIT_CREDIT_INVALID", "DebetCredit")
    rules.code("unit", "codelists/wj756_units", "UNIT_UNKNOWN", "Eenheid")
    rules.code("category", "codelists/jz020_product_categories", "PRODUCT_CATEGORY_UNKNOWN", "ProductCategorie")
    rules.code("product_code", "reference/product_codes", "PRODUCT_CODE_UNKNOWN", "ProductCode")
    rules.add("period_elements = '0'", "LINE_INCOMPLETE", "'ProductPeriode is missing'")
    start = rules.date("period_start", "ProductPeriode Begindatum")
    end = rules.date("period_end", "ProductPeriode Einddatum")
    rules.add(
        f"{end} < {start}",
        "DATE_INVALID",
        f"'ProductPeriode ends (' || {end} || ') before it starts (' || {start} || ')'",
    )
    rules.add(
        f"{start} < date '{jw323.EARLIEST_DATE}'",
        "CS100",
        f"'ProductPeriode starts ' || {start} || ', before {jw323.EARLIEST_DATE}'",
    )
    rules.add(
        f"{start} > $today", "FUTURE_DATE", f"'ProductPeriode starts ' || {start} || ', after today (' || $today || ')'"
    )
    rules.add(
        f"date_trunc('month', {start}) <> date_trunc('month', {end})",
        "CS337",
        f"'ProductPeriode ' || {start} || '..' || {end} || ' spans more than one calendar month'",
    )
    rules.required("volume", "GeleverdVolume")
    rules.number("volume", "GeleverdVolume")
    rules.number("tariff", "ProductTarief", guard="tariff is not null")
    rules.add(
        f"unit <> '{jw323.EURO_UNIT}' and tariff is null",
        "TR346",
        "'Eenheid ' || unit || ' needs a ProductTarief to check the amount'",
    )
    # TR346 in exact integers: a volume in minutes is priced on an hourly tariff, and "rounded" is read as within half
    # a cent.
    rules.add(
        f"""unit <> '{jw323.EURO_UNIT}' and case when unit = '{jw323.MINUTE_UNIT}'
            then abs(60 * amount_value - volume_value * tariff_value) > 30
            else amount_value <> volume_value * tariff_value end""",
        "TR346",
        f"""'IngediendBedrag ' || amount_value || ' != volume x tariff (' || printf('%g', (volume_value
            * tariff_value)::double / case when unit = '{jw323.MINUTE_UNIT}' then 60 else 1 end) || ')'""",
    )
    rules.required("allocation", "ToewijzingNummer")
    rules.number("allocation", "ToewijzingNummer")


def _decide_lines(rules: Rules) -> str:
    dates = {"declaration_period_start", "declaration_period_end", "declaration_date"}
    columns = {name: "date" if name in dates else "varchar" for name in LINE_COLUMNS}
    columns = {
        "ordinal": "bigint",
        "file_index": "bigint",
        **columns,
        "source_line": "bigint",
        "source_record": "bigint",
    }
    return f"""
create or replace temp table jw323_batch_lines as
with decided as ({rules.decided(columns, "staged_line_texts")})
select * exclude (verdict, client_key),
    coalesce(client_key, '') as client_key,
    verdict.code as reason_code,
    'Prestatie ' || coalesce(nullif(declaration_number, ''), '?') || '/' || coalesce(nullif(reference, ''), '?')
        || ' at line '
        || source_line || ', record ' || source_record || ': ' || verdict.reason as reason,
    coalesce(nullif(declaration_number, ''), '?') || '/' || coalesce(nullif(reference, ''), '?') as record_ref,
    verdict.reason as file_reason,
    case when amount_value is null or amount_value > {jw323.MAX_AMOUNT_CENTS} then 0
        when debit_credit = 'C' then -amount_value else amount_value
    end::bigint as amount_cents
from decided
"""  # noqa: S608 - our own names and literals; the values come in as parameters and the staged frame


_LINE_RULES = Rules()
_line_rules(_LINE_RULES)
_DECIDE_LINES = _decide_lines(_LINE_RULES)

_LINE_OUTCOMES = """
select reason_code, file_reason, record_ref, reason, client_key, declaration_number, reference, previous_reference,
    allocation_value::bigint, product_code, period_start_date, debit_credit, amount_cents, source_line, source_record
from jw323_batch_lines
order by ordinal
"""

_ACCEPTED_ROWS = """
select l.client_key, f.municipality_code, f.provider_agb, f.message_id, l.declaration_number,
       l.declaration_period_start, l.declaration_period_end, l.declaration_date,
       l.reference as reference_number, l.previous_reference as previous_reference_number,
       l.allocation_value::bigint as allocation_number, l.category as product_category, l.product_code,
       l.period_start_date as period_start, l.period_end_date as period_end, l.volume_value::bigint as volume,
       l.unit as unit_code,
       l.tariff_value::bigint as tariff_cents, l.amount_cents, l.debit_credit, l.source_line, l.source_record,
       f.file_path, f.file_sha256, $ingested_at as ingested_at, $run_id as run_id
from jw323_batch_lines l join jw323_batch_files f using (file_index)
where l.ordinal in (select ordinal from accepted_lines)
order by l.ordinal
"""


def read_declaration_batch(
    con: duckdb.DuckDBPyConnection,
    landed: list[tuple[Path, bytes | None, str]],
    _spec: MessageSpec,
    pseudonymiser: Pseudonymiser,
    schema: etree.XMLSchema | None = None,
) -> tuple[list[tuple[ParsedFile, str]], StagedInsert | None]:
    """Each (path, bytes, sha256) read and its lines decided in one query; with an XSD schema, a file whose lines read
    cleanly must also be valid. Returns the parsed files in order and how to insert their accepted lines."""
    files = [read_declaration_file(path, data, pseudonymiser) for path, data, _sha256 in landed]
    staged = any(file.lines for file in files)
    outcomes = _decide(con, landed, files) if staged else [[] for _file in files]
    for file, lines in zip(files, outcomes, strict=True):
        rejected = file.rejected
        for outcome in lines:
            if isinstance(outcome, MessageRejected):
                rejected = outcome  # reading stopped at this line: the lines after it were never read
                break
            if isinstance(outcome, Rejection):
                file.parsed.rejections.append(outcome)
            else:
                file.parsed.records.append(outcome)
        finish_file(file.parsed, jw323.SPEC, rejected, schema, file.data)
    parsed = [(file.parsed, sha256) for file, (_path, _data, sha256) in zip(files, landed, strict=True)]
    return parsed, (_insert_accepted if staged else None)


def _decide(
    con: duckdb.DuckDBPyConnection, landed: list[tuple[Path, bytes | None, str]], files: list[DeclarationFile]
) -> list[list[DeclaredLine | Rejection | MessageRejected]]:
    """Stage every file's lines and decide them in one query: per file, each line's outcome in document order."""
    sizes = [len(file.lines) for file in files]
    lines = [line for file in files for line in file.lines]
    # One object array of the lines' tuples and a view per column: numpy fills it in one C loop.
    line_rows = np.empty((len(lines), len(LINE_COLUMNS)), dtype=object)
    line_rows[:] = lines
    staged = {
        "ordinal": np.arange(len(lines)),
        "file_index": np.repeat(np.arange(len(files)), sizes),
        **{name: line_rows[:, column] for column, name in enumerate(LINE_COLUMNS)},
    }
    staged["source_line"] = staged["source_line"].astype(np.int64)
    staged["source_record"] = staged["source_record"].astype(np.int64)
    file_rows = pd.DataFrame.from_records(
        [_file_row(index, landed[index], file) for index, file in enumerate(files)], columns=_FILE_COLUMNS
    )
    with rule_functions(con, staged_line_texts=pd.DataFrame(staged, copy=False), staged_files=file_rows):
        con.execute(_DECIDE_LINES, {**_LINE_RULES.parameters, "today": dt.date.today()})
        con.execute("create or replace temp table jw323_batch_files as select * from staged_files")
        decided = con.execute(_LINE_OUTCOMES).fetchall()
    outcomes: list[list[DeclaredLine | Rejection | MessageRejected]] = []
    first = 0
    for file, size in zip(files, sizes, strict=True):
        header = file.header  # a file with lines has one: they come after it
        file_outcomes: list[DeclaredLine | Rejection | MessageRejected] = []
        for ordinal in range(first, first + size):
            code, file_reason, record_ref, reason, *values = decided[ordinal]
            if code == "HEADER_INVALID":
                file_outcomes.append(MessageRejected(code, file_reason))
            elif code is None:
                file_outcomes.append(DeclaredLine(ordinal, header.provider_agb, header.municipality_code, *values))
            else:
                start, _debit_credit, cents, line, record = values[6:]
                where = (line, record, header.municipality_code, header.provider_agb, start)
                file_outcomes.append(Rejection(record_ref, code, reason, cents, *where))
        first += size
        outcomes.append(file_outcomes)
    return outcomes


_FILE_COLUMNS = ["file_index", "file_path", "file_sha256", "municipality_code", "provider_agb", "message_id"]


def _file_row(index: int, landed: tuple[Path, bytes | None, str], file: DeclarationFile) -> tuple:
    path, _data, sha256 = landed
    header = file.header
    if header is None:
        return (index, str(path), sha256, None, None, None)
    return (index, str(path), sha256, header.municipality_code, header.provider_agb, header.message_id)


def _insert_accepted(
    con: duckdb.DuckDBPyConnection, batch: list[tuple[ParsedFile, str]], ingested_at: dt.datetime, run_id: str
) -> None:
    """The lines still accepted after the file and cross-file rules, typed by the batch query."""
    _accepted_rows(con, batch, ingested_at, run_id, "insert into raw.ijw_declaration_lines by name ")
    con.execute("drop table jw323_batch_lines; drop table jw323_batch_files")


def _accepted_rows(
    con: duckdb.DuckDBPyConnection,
    batch: list[tuple[ParsedFile, str]],
    ingested_at: dt.datetime,
    run_id: str,
    into: str = "",
) -> list[dict]:
    accepted = [line.ordinal for parsed, _ in batch if parsed.staged for line in parsed.records]
    # Registered as an array: as a list parameter, DuckDB converts each ordinal to a value of its own (0.2-0.5 s for
    # 100,000 lines).
    con.register("accepted_lines", {"ordinal": np.array(accepted, dtype=np.int64)})
    try:
        result = con.execute(into + _ACCEPTED_ROWS, {"ingested_at": ingested_at, "run_id": run_id})
        columns = [column for column, *_ in result.description]
        return [dict(zip(columns, row, strict=True)) for row in result.fetchall()]
    finally:
        con.unregister("accepted_lines")


def read_declaration(path: Path, pseudonymiser: Pseudonymiser, schema: etree.XMLSchema | None = None) -> ParsedFile:
    """One declaration read and decided on its own (its lines against no earlier file), its accepted lines as
    DeclarationLine rows: for a tool or test that reads one file as the ingest would."""
    with duckdb.connect(":memory:") as con:
        [(parsed, sha256)], staged = read_declaration_batch(con, [(path, None, "")], jw323.SPEC, pseudonymiser, schema)
        if staged is not None:
            names = {field.name for field in dataclasses.fields(jw323.DeclarationLine)}
            rows = _accepted_rows(con, [(parsed, sha256)], dt.datetime.now(dt.UTC), "")
            parsed.records = [jw323.DeclarationLine(**{name: row[name] for name in names}) for row in rows]
    parsed.staged = False
    return parsed

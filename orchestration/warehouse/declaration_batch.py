"""A batch of JW323 files with every line rule decided once, in SQL on columns.

Each file's lines come as texts from orchestration/ijw/jw323_texts.py (no rule checked there); one query over the
batch then gives every line, in the order the rules are checked (the first that fails names the reason), either its
typed values or its reason code and message: the amount (NUMBER_INVALID, NUMBER_OUT_OF_RANGE, AMOUNT_OUT_OF_RANGE; a
line whose amount cannot be read keeps 0 cents), the client (BSN_INVALID, DATE_INVALID), the Declaratie read before
the line (else the file is HEADER_INVALID and reading stops there), the reference, DebetCredit (COD043), Eenheid
(WJ756), ProductCategorie (JZ020), ProductCode, the product period (DATE_INVALID, CS100, FUTURE_DATE, CS337), the
volume and tariff, TR346 in exact integers, the ToewijzingNummer. The file rules follow (reader.finish_file: what
stopped the reading, NO_RECORDS, the XSD when IJW_XSD_DIR is set, then CS340, FUTURE_DATE and TR358 in jw323.SPEC), then
the cross-file rules (TR314, TR389, CD060: declaration_history.py) on the accepted lines, kept as DeclaredLine tuples.
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
from orchestration.ijw.codelists import codes
from orchestration.ijw.jw323_texts import LINE_COLUMNS, DeclarationFile, read_declaration_file
from orchestration.ijw.pseudonym import Pseudonymiser
from orchestration.ijw.reader import MAX_NUMBER_DIGITS, MessageSpec, finish_file
from orchestration.ijw.safe_xml import MessageRejected
from orchestration.warehouse.load import ParsedFile, Rejection, StagedInsert


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


# A number is ASCII digits of at most MAX_NUMBER_DIGITS significant ones (reader.non_negative_int); a date is
# YYYY-MM-DD of a real day from year 1 (reader.parse_date). py_repr is Python's repr, as the reasons quote a value.
_MACROS = f"""
create or replace temp macro jw323_number(v) as
    case when regexp_full_match(v, '[0-9]+') and length(ltrim(v, '0')) <= {MAX_NUMBER_DIGITS}
        then coalesce(nullif(ltrim(v, '0'), ''), '0')::hugeint end;
create or replace temp macro jw323_number_error(v, label) as case
    when not regexp_full_match(v, '[0-9]+') then {{'code': 'NUMBER_INVALID',
        'reason': label || ' ' || py_repr(v) || ' is not a non-negative whole number'}}
    when length(ltrim(v, '0')) > {MAX_NUMBER_DIGITS} then {{'code': 'NUMBER_OUT_OF_RANGE',
        'reason': label || ' has ' || length(v) || ' digits, more than any iJw number allows'}}
    end;
create or replace temp macro jw323_date(v) as
    case when regexp_full_match(v, '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}') and v[1:4] <> '0000'
        then try_cast(v as date) end;
create or replace temp macro jw323_code_error(v, codes, code, label, list_name) as case
    when coalesce(v, '') = '' then {{'code': 'LINE_INCOMPLETE', 'reason': label || ' is missing'}}
    when not list_contains(codes, v)
        then {{'code': code, 'reason': label || ' ' || py_repr(v) || ' is not in ' || list_name}}
    end;
"""

_DECIDE_LINES = """
create or replace temp table jw323_batch_lines as
with texts as (
    -- A column that is None throughout a batch arrives untyped.
    select ordinal, file_index, source_line, source_record, client_key::varchar as client_key,
        client_error_code::varchar as client_error_code, client_error::varchar as client_error,
        declaration_number::varchar as declaration_number,
        declaration_period_start::date as declaration_period_start,
        declaration_period_end::date as declaration_period_end, declaration_date::date as declaration_date,
        reference::varchar as reference, previous_reference::varchar as previous_reference,
        allocation::varchar as allocation, category::varchar as category, product_code::varchar as product_code,
        period_elements::varchar as period_elements, period_start::varchar as period_start,
        period_end::varchar as period_end, volume::varchar as volume, unit::varchar as unit, tariff::varchar as tariff,
        amount::varchar as amount, debit_credit::varchar as debit_credit
    from staged_line_texts
),
typed as (
    select *,
        jw323_number(coalesce(amount, '')) as amount_value,
        coalesce(jw323_number_error(coalesce(amount, ''), 'IngediendBedrag'),
            case when jw323_number(coalesce(amount, '')) > $max_amount then {'code': 'AMOUNT_OUT_OF_RANGE',
                'reason': 'IngediendBedrag ' || jw323_number(coalesce(amount, '')) || ' exceeds LDT_Bedrag''s '
                    || $max_amount} end) as amount_error,
        jw323_number(volume) as volume_value,
        jw323_number(tariff) as tariff_value,
        jw323_number(allocation) as allocation_value,
        jw323_date(period_start) as start_date,
        jw323_date(period_end) as end_date
    from texts
),
decided as (
    select *,
        case
            when amount_error is not null then amount_error
            when client_error_code is not null then {'code': client_error_code, 'reason': client_error}
            when declaration_number is null or declaration_period_start is null or declaration_date is null
                then {'code': 'HEADER_INVALID',
                    'reason': 'Declaratie lacks DeclaratieNummer, DeclaratiePeriode or dagtekening'}
            when coalesce(reference, '') = ''
                then {'code': 'LINE_INCOMPLETE', 'reason': 'ProductReferentie/ReferentieNummer is missing'}
            when debit_credit is null or not list_contains($debit_credit_codes, debit_credit)
                then jw323_code_error(
                    debit_credit, $debit_credit_codes, 'DEBIT_CREDIT_INVALID', 'DebetCredit', 'COD043'
                )
            when unit is null or not list_contains($units, unit)
                then jw323_code_error(unit, $units, 'UNIT_UNKNOWN', 'Eenheid', 'WJ756')
            when category is null or not list_contains($categories, category)
                then jw323_code_error(category, $categories, 'PRODUCT_CATEGORY_UNKNOWN', 'ProductCategorie', 'JZ020')
            when product_code is null or product_code not in (select unnest($product_codes))
                then jw323_code_error(
                    product_code, $product_codes, 'PRODUCT_CODE_UNKNOWN', 'ProductCode', 'the product codes list'
                )
            when period_elements = '0' then {'code': 'LINE_INCOMPLETE', 'reason': 'ProductPeriode is missing'}
            when start_date is null then {'code': 'DATE_INVALID', 'reason': 'ProductPeriode Begindatum '
                || py_repr(period_start) || ' is not a date (YYYY-MM-DD, no timezone)'}
            when end_date is null then {'code': 'DATE_INVALID', 'reason': 'ProductPeriode Einddatum '
                || py_repr(period_end) || ' is not a date (YYYY-MM-DD, no timezone)'}
            when end_date < start_date then {'code': 'DATE_INVALID',
                'reason': 'ProductPeriode ends (' || end_date || ') before it starts (' || start_date || ')'}
            when start_date < $earliest_date then {'code': 'CS100',
                'reason': 'ProductPeriode starts ' || start_date || ', before ' || $earliest_date}
            when start_date > $today then {'code': 'FUTURE_DATE',
                'reason': 'ProductPeriode starts ' || start_date || ', after today (' || $today || ')'}
            when date_trunc('month', start_date) <> date_trunc('month', end_date) then {'code': 'CS337',
                'reason': 'ProductPeriode ' || start_date || '..' || end_date || ' spans more than one calendar month'}
            when coalesce(volume, '') = '' then {'code': 'LINE_INCOMPLETE', 'reason': 'GeleverdVolume is missing'}
            when volume_value is null then jw323_number_error(volume, 'GeleverdVolume')
            when tariff is not null and tariff_value is null then jw323_number_error(tariff, 'ProductTarief')
            when unit <> $euro_unit and tariff is null then {'code': 'TR346',
                'reason': 'Eenheid ' || unit || ' needs a ProductTarief to check the amount'}
            -- TR346 in exact integers: a volume in minutes is priced on an hourly tariff, and "rounded" is read as
            -- within half a cent.
            when unit <> $euro_unit and case when unit = $minute_unit
                    then abs(60 * amount_value - volume_value * tariff_value) > 30
                    else amount_value <> volume_value * tariff_value end
                then {'code': 'TR346', 'reason': 'IngediendBedrag ' || amount_value || ' != volume x tariff ('
                    || printf('%g', (volume_value * tariff_value)::double / case when unit = $minute_unit
                        then 60 else 1 end) || ')'}
            when coalesce(allocation, '') = '' then {'code': 'LINE_INCOMPLETE', 'reason': 'ToewijzingNummer is missing'}
            when allocation_value is null then jw323_number_error(allocation, 'ToewijzingNummer')
        end as verdict
    from typed
)
select * exclude (verdict, client_key),
    coalesce(client_key, '') as client_key,
    verdict.code as reason_code,
    'Prestatie ' || coalesce(nullif(declaration_number, ''), '?') || '/' || coalesce(nullif(reference, ''), '?')
        || ' at line '
        || source_line || ', record ' || source_record || ': ' || verdict.reason as reason,
    coalesce(nullif(declaration_number, ''), '?') || '/' || coalesce(nullif(reference, ''), '?') as record_ref,
    verdict.reason as file_reason,
    case when amount_error is not null then 0 when debit_credit = 'C' then -amount_value else amount_value
    end::bigint as amount_cents
from decided
"""

_LINE_OUTCOMES = """
select reason_code, reason, record_ref, file_reason, amount_cents, start_date, client_key, declaration_number,
    reference, previous_reference, allocation_value::bigint as allocation_value, product_code, debit_credit
from jw323_batch_lines
order by ordinal
"""

_ACCEPTED_ROWS = """
select l.client_key, f.municipality_code, f.provider_agb, f.message_id, l.declaration_number,
       l.declaration_period_start, l.declaration_period_end, l.declaration_date,
       l.reference as reference_number, l.previous_reference as previous_reference_number,
       l.allocation_value::bigint as allocation_number, l.category as product_category, l.product_code,
       l.start_date as period_start, l.end_date as period_end, l.volume_value::bigint as volume, l.unit as unit_code,
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
    con.create_function("py_repr", repr, ["VARCHAR"], "VARCHAR", null_handling="special", side_effects=False)
    # As a frame: DuckDB's scan of a bare object array fails on a column that is None in all but a few rows.
    con.register("staged_line_texts", pd.DataFrame(staged, copy=False))
    con.register("staged_files", file_rows)
    try:
        con.execute(_MACROS)
        con.execute(_DECIDE_LINES, _rule_parameters())
        con.execute("create or replace temp table jw323_batch_files as select * from staged_files")
        decided = con.execute(_LINE_OUTCOMES).fetchnumpy()
    finally:
        con.unregister("staged_line_texts")
        con.unregister("staged_files")
        con.remove_function("py_repr")
    columns = {name: values.tolist() for name, values in decided.items()}
    source_lines, source_records = staged["source_line"].tolist(), staged["source_record"].tolist()
    outcomes: list[list[DeclaredLine | Rejection | MessageRejected]] = []
    first = 0
    for file, size in zip(files, sizes, strict=True):
        header = file.header
        file_outcomes: list[DeclaredLine | Rejection | MessageRejected] = []
        for ordinal in range(first, first + size):
            code = columns["reason_code"][ordinal]
            if code == "HEADER_INVALID":
                file_outcomes.append(MessageRejected(code, columns["file_reason"][ordinal]))
            elif code is not None:
                file_outcomes.append(
                    Rejection(
                        columns["record_ref"][ordinal],
                        code,
                        columns["reason"][ordinal],
                        columns["amount_cents"][ordinal],
                        source_lines[ordinal],
                        source_records[ordinal],
                        header.municipality_code,
                        header.provider_agb,
                        _date(columns["start_date"][ordinal]),
                    )
                )
            else:
                file_outcomes.append(
                    DeclaredLine(
                        ordinal,
                        header.provider_agb,
                        header.municipality_code,
                        columns["client_key"][ordinal],
                        columns["declaration_number"][ordinal],
                        columns["reference"][ordinal],
                        columns["previous_reference"][ordinal],
                        columns["allocation_value"][ordinal],
                        columns["product_code"][ordinal],
                        _date(columns["start_date"][ordinal]),
                        columns["debit_credit"][ordinal],
                        columns["amount_cents"][ordinal],
                        source_lines[ordinal],
                        source_records[ordinal],
                    )
                )
        first += size
        outcomes.append(file_outcomes)
    return outcomes


def _date(value) -> dt.date | None:
    """A DATE column's value as fetchnumpy gives it (datetime64 or NaT, or a date) as a date."""
    if value is None or (isinstance(value, np.datetime64) and np.isnat(value)):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else None


def _rule_parameters() -> dict[str, object]:
    return {
        "debit_credit_codes": sorted(codes("codelists/cod043_debit_credit")),
        "units": sorted(codes("codelists/wj756_units")),
        "categories": sorted(codes("codelists/jz020_product_categories")),
        "product_codes": sorted(codes("reference/product_codes")),
        "earliest_date": jw323.EARLIEST_DATE,
        "today": dt.date.today(),
        "euro_unit": jw323.EURO_UNIT,
        "minute_unit": jw323.MINUTE_UNIT,
        "max_amount": jw323.MAX_AMOUNT_CENTS,
    }


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

"""A batch of JW323 files read with the per-line rules decided in SQL on columns.

Each plainly shaped file (orchestration/ijw/jw323_texts.py) hands over its line texts; one query over the batch then
checks, per line, every rule the reference reader (orchestration/ijw/jw323.py) checks on a line, and types the values.
The query only clears a line the reference rules would accept with the same values; it is stricter where that is
simpler (a value that would need stripping, a date in another ISO form, a number with leading zeros beyond an iJw
number's digits). A line it does not clear gets the reference rules on the same fields, so a rejection carries exactly
their reason and message; should those accept it, the reference reader reads that file whole instead. The file rules
(CS340, TR358) then run as in the reference reader, and tests/test_declaration_batch.py compares both paths on the
sample, the hostile cases and unusual documents.

The cross-file rules (TR314, TR389, CD060) and the ledger see every file alike: the lines cleared here as DeclaredLine
tuples, the others as DeclarationLine records.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import NamedTuple

import duckdb
import numpy as np
import pandas as pd
from lxml import etree

from orchestration.ijw import jw323
from orchestration.ijw.codelists import codes
from orchestration.ijw.jw323_texts import TEXT_COLUMNS, DeclarationTexts, read_declaration_texts, reference_fields
from orchestration.ijw.pseudonym import Pseudonymiser
from orchestration.ijw.reader import Client, MessageSpec, ParsedFile, read_message_file, read_record_fields
from orchestration.ijw.safe_xml import MessageRejected
from orchestration.warehouse.ingest import StagedInsert


class DeclaredLine(NamedTuple):
    """What the cross-file rules, the quarantine and the ledger need of a line the batch query accepted."""

    ordinal: int
    """The line's row in the batch's staged lines."""
    provider_agb: str
    municipality_code: str
    client_key: str | None
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


# A value is cleared only in the form the reference reader stores it unchanged: digits without sign or space, dates
# as YYYY-MM-DD, references of printable ASCII without spaces (the reference reader strips Unicode whitespace too).
_DECIDE_LINES = """
create or replace temp table jw323_batch_lines as
with texts as (
    -- A column that is None throughout a batch arrives untyped.
    select ordinal, file_index, source_line, source_record, client_key::varchar as client_key,
        reference::varchar as reference, previous_reference::varchar as previous_reference,
        allocation::varchar as allocation,
        category::varchar as category, product_code::varchar as product_code, period_start::varchar as period_start,
        period_end::varchar as period_end, volume::varchar as volume, unit::varchar as unit, tariff::varchar as tariff,
        amount::varchar as amount, debit_credit::varchar as debit_credit
    from staged_line_texts
),
typed as (
    select *,
        case when regexp_full_match(amount, '[0-9]{1,8}') then amount::bigint end as amount_value,
        case when regexp_full_match(volume, '[0-9]{1,18}') then volume::bigint end as volume_value,
        case when regexp_full_match(tariff, '[0-9]{1,18}') then tariff::bigint end as tariff_value,
        case when regexp_full_match(allocation, '[0-9]{1,18}') then allocation::bigint end as allocation_value,
        case when regexp_full_match(period_start, '[0-9]{4}-[0-9]{2}-[0-9]{2}')
            then try_cast(period_start as date) end as start_date,
        case when regexp_full_match(period_end, '[0-9]{4}-[0-9]{2}-[0-9]{2}')
            then try_cast(period_end as date) end as end_date
    from texts
)
select *,
    case when debit_credit = 'C' then -amount_value else amount_value end as amount_cents,
    coalesce(
        client_key is not null
        and amount_value is not null
        and list_contains($debit_credit_codes, debit_credit)
        and regexp_full_match(reference, '[!-~]+')
        and (previous_reference is null or regexp_full_match(previous_reference, '[!-~]+'))
        and list_contains($units, unit)
        and list_contains($categories, category)
        and product_code in (select unnest($product_codes))                     -- a hash lookup in 450 codes
        and end_date >= start_date
        and start_date >= $earliest_date                                        -- CS100
        and start_date <= $today                                                -- FUTURE_DATE
        and date_trunc('month', start_date) = date_trunc('month', end_date)     -- CS337
        and volume_value is not null
        and (tariff is null or tariff_value is not null)
        and (unit = $euro_unit or case                                          -- TR346, in exact integers
            when unit = $minute_unit then abs(60 * amount_value::hugeint - volume_value::hugeint * tariff_value) <= 30
            else amount_value::hugeint = volume_value::hugeint * tariff_value end)
        and allocation_value is not null,
        false
    ) as clean
from typed
"""

_STAGED_LINES = """
select clean, client_key, reference, previous_reference, allocation_value, product_code, start_date, debit_credit,
    amount_cents
from jw323_batch_lines
order by ordinal
"""

_INSERT_ACCEPTED = """
insert into raw.ijw_declaration_lines by name
select l.client_key, f.municipality_code, f.provider_agb, f.message_id, f.declaration_number,
       f.declaration_period_start, f.declaration_period_end, f.declaration_date,
       l.reference as reference_number, l.previous_reference as previous_reference_number,
       l.allocation_value as allocation_number, l.category as product_category, l.product_code,
       l.start_date as period_start, l.end_date as period_end, l.volume_value as volume, l.unit as unit_code,
       l.tariff_value as tariff_cents, l.amount_cents, l.debit_credit, l.source_line, l.source_record,
       f.file_path, f.file_sha256, $ingested_at as ingested_at, $run_id as run_id
from jw323_batch_lines l join jw323_batch_files f using (file_index)
where l.ordinal in (select ordinal from accepted_lines)
"""


def read_declaration_batch(
    con: duckdb.DuckDBPyConnection,
    landed: list[tuple[Path, bytes | None, str]],
    _spec: MessageSpec,
    pseudonymiser: Pseudonymiser,
    schema: etree.XMLSchema | None = None,
) -> tuple[list[tuple[ParsedFile, str]], StagedInsert | None]:
    """Each (path, bytes, sha256) read: plain files through the batch query, the others (and every file when an XSD
    schema is set) through the reference reader. Returns the parsed files in order and how to insert the staged ones.
    """
    plain: dict[int, DeclarationTexts] = {}
    if schema is None:
        for index, (path, data, _sha256) in enumerate(landed):
            texts = None if data is None else read_declaration_texts(path, data, pseudonymiser)
            if texts is not None:
                plain[index] = texts
    staged = _decide(con, landed, plain, pseudonymiser) if plain else {}
    parsed: list[tuple[ParsedFile, str]] = []
    for index, (path, data, sha256) in enumerate(landed):
        read = staged.get(index) or read_message_file(path, jw323.SPEC, pseudonymiser, schema, data)
        parsed.append((read, sha256))
    return parsed, (_insert_accepted if staged else None)


def _decide(
    con: duckdb.DuckDBPyConnection,
    landed: list[tuple[Path, bytes | None, str]],
    plain: dict[int, DeclarationTexts],
    pseudonymiser: Pseudonymiser,
) -> dict[int, ParsedFile]:
    """Stage the plain files' lines and decide them in one query. A line the query does not clear gets the reference
    reader's rules on the same fields, for its exact reason; a file where those accept a line the query did not clear
    is left out (the reference reader reads it whole), so a staged file's records are all staged lines."""
    files_in_order = list(plain.items())
    lines = [line for _index, texts in files_in_order for line in texts.lines]
    sizes = [len(texts.lines) for _index, texts in files_in_order]
    # One object array of the lines' tuples (rows) and a view per column: numpy fills it in one C loop, where an
    # array per column built from Python sequences took four times as long.
    line_rows = np.array(lines, dtype=object)
    source_lines = line_rows[:, 0].astype(np.int64)
    # A file's lines are all its Prestaties in document order (DeclarationTexts.lines): each one's position in its
    # file + 1, computed for the batch at once (a national batch holds thousands of files of a few lines).
    ordinals = np.arange(len(lines))
    file_starts = np.cumsum(sizes) - sizes
    source_records = ordinals - np.repeat(file_starts, sizes) + 1
    line_texts = {
        "ordinal": ordinals,
        "file_index": np.repeat([index for index, _texts in files_in_order], sizes),
        "source_line": source_lines,
        "source_record": source_records,
        **{name: line_rows[:, column] for column, name in enumerate(("client_key", *TEXT_COLUMNS), start=1)},
    }
    files = pd.DataFrame.from_records(
        [_file_row(index, landed[index], texts) for index, texts in files_in_order], columns=_FILE_COLUMNS
    )
    con.register("staged_line_texts", line_texts)
    con.register("staged_files", files)
    try:
        con.execute(_DECIDE_LINES, _rule_parameters())
        con.execute("create or replace temp table jw323_batch_files as select * from staged_files")
    finally:
        con.unregister("staged_line_texts")
        con.unregister("staged_files")
    decided = con.execute(_STAGED_LINES).fetchnumpy()
    clean = decided["clean"].tolist()
    # _make is tuple.__new__: no Python frame per line, as the generated __new__ would cost.
    declared = list(
        map(
            DeclaredLine._make,
            zip(
                range(len(lines)),
                _per_line([texts.header.provider_agb for _index, texts in files_in_order], sizes),
                _per_line([texts.header.municipality_code for _index, texts in files_in_order], sizes),
                decided["client_key"].tolist(),
                _per_line([texts.declaration["declaration_number"] for _index, texts in files_in_order], sizes),
                decided["reference"].tolist(),
                decided["previous_reference"].tolist(),
                decided["allocation_value"].tolist(),
                decided["product_code"].tolist(),
                decided["start_date"].astype("datetime64[D]").tolist(),
                decided["debit_credit"].tolist(),
                decided["amount_cents"].tolist(),
                source_lines.tolist(),
                source_records.tolist(),
                strict=True,
            ),
        )
    )
    staged: dict[int, ParsedFile] = {}
    first = 0
    for (index, texts), size in zip(files_in_order, sizes, strict=True):
        parsed = ParsedFile(landed[index][0], jw323.MESSAGE_TYPE, state=texts.declaration, staged=True)
        if all(clean[first : first + size]):
            parsed.records = declared[first : first + size]
        elif not _decide_by_reference_rules(
            parsed, texts, declared[first : first + size], clean[first : first + size], pseudonymiser
        ):
            first += size
            continue
        try:
            jw323.SPEC.check_file(parsed)
        except MessageRejected as rejected:
            parsed.reject_file(rejected)
        staged[index] = parsed
        first += size
    return staged


def _per_line(values: list, sizes: list[int]) -> list:
    return [value for value, size in zip(values, sizes, strict=True) for _ in range(size)]


def _decide_by_reference_rules(
    parsed: ParsedFile,
    texts: DeclarationTexts,
    declared: list[DeclaredLine],
    clean: list[bool],
    pseudonymiser: Pseudonymiser,
) -> bool:
    """Give each line the query did not clear the reference reader's verdict on the same fields; False when that
    accepts one (the query is stricter than the rules there), and the reference reader must read the file whole."""
    for position, (line, declared_line, line_is_clean) in enumerate(zip(texts.lines, declared, clean, strict=True)):
        if line_is_clean:
            parsed.records.append(declared_line)
            continue
        accepted_before = len(parsed.records)
        source_line, client_key = line[0], line[1]
        client = Client(client_key=client_key, error=texts.client_errors.get(position))
        source_record = position + 1
        read_record_fields(
            reference_fields(line, source_record),
            source_line,
            source_record,
            texts.header,
            client,
            jw323.SPEC,
            parsed,
            pseudonymiser,
        )
        if len(parsed.records) > accepted_before:
            return False
    return True


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
    }


_FILE_COLUMNS = [
    "file_index",
    "file_path",
    "file_sha256",
    "municipality_code",
    "provider_agb",
    "message_id",
    "declaration_number",
    "declaration_period_start",
    "declaration_period_end",
    "declaration_date",
]


def _file_row(index: int, landed: tuple[Path, bytes | None, str], texts: DeclarationTexts) -> tuple:
    path, _data, sha256 = landed
    declaration = texts.declaration
    period_start, period_end = declaration["declaration_period"]
    return (
        index,
        str(path),
        sha256,
        texts.header.municipality_code,
        texts.header.provider_agb,
        texts.header.message_id,
        declaration["declaration_number"],
        period_start,
        period_end,
        declaration["declaration_date"],
    )


def _insert_accepted(
    con: duckdb.DuckDBPyConnection, batch: list[tuple[ParsedFile, str]], ingested_at: dt.datetime, run_id: str
) -> None:
    """The staged lines still accepted after the cross-file rules, typed by the batch query."""
    accepted = [line.ordinal for parsed, _ in batch if parsed.staged for line in parsed.records]
    # Registered as an array: as a list parameter, DuckDB converts each ordinal to a value of its own (0.2-0.5 s for
    # 100,000 lines).
    con.register("accepted_lines", {"ordinal": np.array(accepted, dtype=np.int64)})
    try:
        con.execute(_INSERT_ACCEPTED, {"ingested_at": ingested_at, "run_id": run_id})
    finally:
        con.unregister("accepted_lines")
    con.execute("drop table jw323_batch_lines; drop table jw323_batch_files")

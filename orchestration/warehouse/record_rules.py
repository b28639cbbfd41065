"""The iJw record rules, each written once, as SQL over a batch of records read as texts.

The readers of every message type only extract field texts (TextReader, in the read pass). A type lists its record
rules in the order they are checked (Rules: a required field, a whole number in a range, a date, a code in a seed list,
the Client, a product, a volume, and the few of its own), and one query over a batch of files' texts gives each record
either its typed values or the reason code and message of the first rule it breaks; all five types share decide_files
(each its RecordRules). A message quotes a value as Python's repr does (py_repr).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import operator
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from orchestration.ijw.codelists import column
from orchestration.ijw.pseudonym import IDENTIFIER_PSEUDONYM_FLOOR
from orchestration.ijw.reader import MAX_NUMBER_DIGITS, MessageSpec, finish_file, record_place
from orchestration.ijw.safe_xml import MessageHead, MessageRejected
from orchestration.warehouse.load import ParsedFile, Rejection, StagedInsert

MAX_NUMBER = 999_999_999  # LDT_Nummer
GENDERS = ("0", "1", "2")  # LDT_Geslacht (COD046)
# Jeugdwet care ends at 23 at the latest (verlengde jeugdhulp), so no client of the Jeugdwet (2015-) was born before
# 1990; the raw suites and dim_client hold birth years to that bound.
EARLIEST_BIRTH_DATE = dt.date(1990, 1, 1)

# A number is ASCII digits of at most MAX_NUMBER_DIGITS significant ones; a date is YYYY-MM-DD of a real day from
# year 1 (LDT_Datum: xs:date without a timezone; reader.parse_date reads the message-level dates so).
_MACROS = f"""
create or replace temp macro ijw_number(v) as
    case when regexp_full_match(v, '[0-9]+') and length(ltrim(v, '0')) <= {MAX_NUMBER_DIGITS}
        then coalesce(nullif(ltrim(v, '0'), ''), '0')::hugeint end;
create or replace temp macro ijw_date(v) as
    case when regexp_full_match(v, '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}') and v[1:4] <> '0000'
        then try_cast(v as date) end;
"""


@contextlib.contextmanager
def registered(con: duckdb.DuckDBPyConnection, **frames: Any) -> Iterator[None]:
    """Each frame registered on con under its name for the block."""
    for name, frame in frames.items():
        con.register(name, frame)
    try:
        yield
    finally:
        for name in frames:
            con.unregister(name)


@contextlib.contextmanager
def rule_functions(con: duckdb.DuckDBPyConnection, **frames: Any) -> Iterator[None]:
    """The rules' macros and py_repr on con, and each frame registered under its name, for one batch query."""
    con.create_function("py_repr", repr, ["VARCHAR"], "VARCHAR", null_handling="special", side_effects=False)
    try:
        with registered(con, **frames):
            con.execute(_MACROS)
            yield
    finally:
        con.remove_function("py_repr")


def quote(text: str) -> str:
    """text as a SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def _list_name(seed: str) -> str:
    """'codelists/wj756_units' -> 'WJ756'; 'reference/product_codes' -> 'the product codes list'."""
    name = seed.rsplit("/", 1)[-1]
    return name.split("_")[0].upper() if seed.startswith("codelists/") else f"the {name.replace('_', ' ')} list"


@dataclass
class Rules:
    """A type's record rules in the order they are checked: typed holds each typed value's expression over the text
    columns by name, clauses the CASE branches giving the {code, reason} of the first rule broken, parameters the
    values they bind. A guard limits a rule to the records it holds for (an optional field that is present)."""

    typed: dict[str, str] = field(default_factory=dict)
    clauses: list[str] = field(default_factory=list)
    parameters: dict[str, Any] = field(default_factory=dict)
    """The values the rules bind, but for $today, which each batch binds (a run may pass midnight)."""

    def add(self, condition: str, code: str, reason: str) -> None:
        """Where condition holds (and no earlier rule is broken): code, with reason (a SQL string expression)."""
        self.clauses.append(f"when {condition} then {{'code': {quote(code)}, 'reason': {reason}}}")

    def decided(self, columns: dict[str, str], source: str) -> str:
        """A query of source's records: its columns cast (name -> type; a column None throughout a batch arrives
        untyped), the typed values, and the verdict of the first rule broken (null: none)."""
        texts = ", ".join(f"{name}::{kind} as {name}" for name, kind in columns.items())
        typed = "".join(f", {expression} as {name}" for name, expression in self.typed.items())
        verdict = "case\n    " + "\n    ".join(self.clauses) + "\nend"
        return f"select *, {verdict} as verdict from (select *{typed} from (select {texts} from {source}))"  # noqa: S608

    def required(self, text: str, label: str, guard: str = "true") -> None:
        self.add(f"{guard} and coalesce({text}, '') = ''", "LINE_INCOMPLETE", quote(f"{label} is missing"))

    def number(
        self,
        text: str,
        label: str,
        bounds: tuple[int, int] | None = None,
        reason_code: str = "NUMBER_OUT_OF_RANGE",
        guard: str = "true",
    ) -> str:
        """A non-negative whole number, within bounds when given; returns the typed value's name."""
        value, given = f"{text}_value", f"coalesce({text}, '')"
        self.typed[value] = f"ijw_number({given})"
        self.add(
            f"{guard} and not regexp_full_match({given}, '[0-9]+')",
            "NUMBER_INVALID",
            f"{quote(label)} || ' ' || py_repr({given}) || ' is not a non-negative whole number'",
        )
        self.add(
            f"{guard} and {value} is null",
            "NUMBER_OUT_OF_RANGE",
            f"{quote(label)} || ' has ' || length({given}) || ' digits, more than any iJw number allows'",
        )
        if bounds is not None:
            self.within(value, label, bounds, reason_code, guard)
        return value

    def within(self, value: str, label: str, bounds: tuple[int, int], reason_code: str, guard: str = "true") -> None:
        low, high = bounds
        self.add(
            f"{guard} and {value} not between {low} and {high}",
            reason_code,
            f"{quote(label)} || ' ' || {value} || ' is outside {low}..{high}'",
        )

    def ldt_number(self, text: str, label: str, low: int = 1, guard: str = "true") -> str:
        """A number within LDT_Nummer, or the keyed pseudonym that replaced a BSN written there (pseudonym.py)."""
        value = self.number(text, label, guard=guard)
        pseudonym = f"length({text}) = {len(str(IDENTIFIER_PSEUDONYM_FLOOR))}"
        floor = IDENTIFIER_PSEUDONYM_FLOOR
        self.within(value, label, (floor, 10 * floor - 1), "NUMBER_OUT_OF_RANGE", f"{guard} and {pseudonym}")
        self.within(value, label, (low, MAX_NUMBER), "NUMBER_OUT_OF_RANGE", f"{guard} and not {pseudonym}")
        return value

    def date(self, text: str, label: str, guard: str = "true") -> str:
        """A date; returns the typed value's name (null where the text is no date)."""
        value = f"{text}_date"
        self.typed[value] = f"ijw_date({text})"
        self.add(
            f"{guard} and {value} is null",
            "DATE_INVALID",
            f"{quote(label)} || ' ' || py_repr({text}) || ' is not a date (YYYY-MM-DD, no timezone)'",
        )
        return value

    def code(self, text: str, seed: str, reason_code: str, label: str, guard: str = "true") -> None:
        """A code in seeds/<seed>.csv (codelists.column), LINE_INCOMPLETE where it is absent."""
        parameter = seed.replace("/", "_")
        self.parameters[parameter] = sorted(column(seed))
        self.required(text, label, guard)
        self.add(
            f"{guard} and {text} not in (select unnest(${parameter}))",
            reason_code,
            f"{quote(label)} || ' ' || py_repr({text}) || ' is not in {_list_name(seed)}'",
        )

    def end_not_before_start(self, start: str, end: str, start_label: str, end_label: str) -> None:
        self.add(
            f"{end} < {start}", "END_BEFORE_START", f"'{end_label} ' || {end} || ' precedes {start_label} ' || {start}"
        )

    def client_error(self) -> None:
        """What the reader found wrong with the record's Client (its BSN, its Geboortedatum)."""
        self.clauses.append(
            "when client_error_code is not null then {'code': client_error_code, 'reason': client_error}"
        )

    def client(self) -> None:
        """The Client a record sits in: the reader's verdict, its Bsn (required by the XSD), its birth date and gender
        as the raw suites and dim_client hold them."""
        self.client_error()
        self.add("client_key is null", "LINE_INCOMPLETE", quote("the record's Client has no Bsn"))
        self.add(
            f"not birth_date between date '{EARLIEST_BIRTH_DATE}' and $today",
            "BIRTH_DATE_OUT_OF_RANGE",
            f"'Geboortedatum ' || birth_date || ' is not between {EARLIEST_BIRTH_DATE} and today'",
        )
        self.add(
            f"gender_code not in {GENDERS}",
            "GENDER_UNKNOWN",
            "'Geslacht ' || py_repr(gender_code) || ' is not 0, 1 or 2 (COD046)'",
        )

    def product(self) -> None:
        """A CDT_Product where present: its category and code in their lists, and the code in the category the
        product code list puts it in (a code listed without one, a group heading such as 45A00, has none)."""
        products = "reference/product_codes"
        categories = "codelists/jz020_product_categories"
        self.code("product_category", categories, "PRODUCT_CATEGORY_UNKNOWN", "Categorie", "has_product")
        self.code("product_code", products, "PRODUCT_CODE_UNKNOWN", "Product Code", "product_code is not null")
        listed = {code: category for code, category in column(products, "product_category_code").items() if category}
        self.parameters["listed_codes"], self.parameters["listed_categories"] = list(listed), list(listed.values())
        listed_category = "$listed_categories[list_position($listed_codes, product_code)]"
        self.add(
            f"{listed_category} <> product_category",
            "PRODUCT_NOT_IN_CATEGORY",
            f"'Product Code ' || product_code || ' is in category ' || {listed_category} || ', not in Categorie ' "
            "|| product_category",
        )

    def volume(self, max_volume: int) -> None:
        """A CDT_Omvang where present: its volume and unit."""
        self.number("volume", "Omvang Volume", (0, max_volume), guard="has_volume")
        self.code("unit_code", "codelists/wj756_units", "UNIT_UNKNOWN", "Omvang Eenheid", "has_volume")


CLIENT_COLUMNS = {
    **dict.fromkeys(("source_line", "source_record"), "bigint"),
    **dict.fromkeys(("client_key", "client_error_code", "client_error"), "varchar"),
    **{"birth_date": "date", "gender_code": "varchar"},
    **dict.fromkeys(("municipality_code", "provider_agb", "message_id"), "varchar"),
    "message_date": "date",
}
"""What every record carries besides its own texts: where it is in its file, its Client as the reader found it, its
header. A record's texts are keyed by its file's path; in a batch's query, by the file's place in the batch
(file_index)."""


@dataclass(frozen=True)
class RecordRules:
    """How a message type's records become rows of its raw table (row_type): the texts read from each record (column
    -> its key in what spec.record_fields gives; a has_<name> column holds whether the key is there at all), the
    message-level values each record takes from what the reader read before it (state: column -> SQL type, from
    ParsedFile.state), the rules over them, what names a rejected record and its cents (SQL expressions) and the text
    of its own date. A row field takes the typed value of the text of its name (<name>_date, <name>_value), else the
    column of its name, unless row gives its expression. In the ingest the accepted records stay in the warehouse and go
    into the raw table by SQL; the cross-file rules and the ledger see them as row_type values, or as staged_as, a
    NamedTuple of what they need, for a type with many records a file."""

    row_type: type
    texts: dict[str, Any]
    rules: Callable[[Rules], None]
    record_ref: str
    period: str
    row: dict[str, str] = field(default_factory=dict)
    state: dict[str, str] = field(default_factory=dict)
    cents: str = "0"
    staged_as: type | None = None

    @functools.cached_property
    def built(self) -> Rules:
        rules = Rules()
        self.rules(rules)
        return rules

    @functools.cached_property
    def read_texts(self) -> Callable[[dict], tuple]:
        """A record's text columns from its fields, in order: one C call where no has_ column asks for presence."""
        if not any(name.startswith("has_") for name in self.texts):
            return operator.itemgetter(*self.texts.values())
        keys = tuple((key, name.startswith("has_")) for name, key in self.texts.items())
        return lambda fields: tuple(key in fields if has else fields[key] for key, has in keys)

    def _row_field(self, name: str) -> str:
        typed = self.built.typed
        if name in self.row:
            return self.row[name]
        if f"{name}_date" in typed:
            return f"{name}_date"
        return f"{name}_value::bigint" if f"{name}_value" in typed else name

    @functools.cached_property
    def decide(self) -> str:
        kinds = {name: "boolean" if name.startswith("has_") else "varchar" for name in self.texts}
        columns = {"ordinal": "bigint", "file_index": "bigint", **CLIENT_COLUMNS, **self.state, **kinds}
        return f"""
create or replace temp table decided_records as
select *, verdict.code as reason_code, {self.record_ref} as record_ref, ({self.cents})::bigint as record_cents,
    ijw_date({self.period}) as record_period
from ({self.built.decided(columns, "staged_record_texts")})
"""  # noqa: S608 - our own names and literals; the values come in as parameters and the staged frame

    @functools.cached_property
    def text_columns(self) -> dict[str, str]:
        """The columns of a record's texts as the read pass keeps them (name -> SQL type), in row order."""
        kinds = {name: "boolean" if name.startswith("has_") else "varchar" for name in self.texts}
        return {"file_path": "varchar", **CLIENT_COLUMNS, **self.state, **kinds}

    def outcomes(self, row_type: type) -> str:
        row = ", ".join(self._row_field(name) for name in _field_names(row_type))
        return f"""
select reason_code, record_ref, source_line, source_record, municipality_code, provider_agb, record_period,
    verdict.reason, record_cents, {row}
from decided_records
order by ordinal
"""  # noqa: S608 - our own names

    def insert_staged(self, table: str, files: list[tuple[Path, str]]) -> StagedInsert:
        """Inserts into table the batch's accepted records (by file and place in it), typed as the batch query typed
        them."""
        row = ", ".join(f"{self._row_field(name)} as {name}" for name in _field_names(self.row_type))
        statement = f"""
insert into {table} by name
select {row}, file_path, file_sha256, $ingested_at as ingested_at, $run_id as run_id
from decided_records join batch_files using (file_index)
semi join accepted_records using (file_index, source_record)
order by ordinal
"""  # noqa: S608 - our own names

        def insert(con: duckdb.DuckDBPyConnection, batch: list, ingested_at: dt.datetime, run_id: str) -> None:
            index = {str(path): number for number, (path, _sha256) in enumerate(files)}
            accepted = [
                (index[str(parsed.path)], record.source_record) for parsed, _ in batch for record in parsed.records
            ]
            # Registered as arrays: as list parameters, DuckDB converts each value to one of its own.
            file_index, source_record = np.array(accepted, dtype=np.int64).reshape(-1, 2).T
            frames = {
                "accepted_records": {"file_index": file_index, "source_record": source_record},
                "batch_files": pd.DataFrame.from_records(
                    [(number, str(path), sha256) for number, (path, sha256) in enumerate(files)],
                    columns=["file_index", "file_path", "file_sha256"],
                ),
            }
            with rule_functions(con, **frames):
                con.execute(statement, {"ingested_at": ingested_at, "run_id": run_id})
            con.execute("drop table decided_records")

        return insert


def _field_names(row_type: type) -> list[str]:
    """A dataclass's or NamedTuple's fields, in order (a dataclass's bases' first)."""
    return list(typing.get_type_hints(row_type))


@dataclass
class FileTexts:
    """What reading one file left besides its records' texts: its head (type and sender, from its root), the spec it
    was read with (None: a type no ingest reads), how many records it held, why it is rejected if it was while read
    or against its XSD, and its message-level fields (ParsedFile.state)."""

    path: str | Path
    sha256: str
    head: MessageHead
    spec: MessageSpec | None
    records: int = 0
    rejected: MessageRejected | None = None
    schema_error: MessageRejected | None = None
    state: dict[str, Any] = field(default_factory=dict)


def decide_files(
    con: duckdb.DuckDBPyConnection, files: list[FileTexts], texts: str, table: str | None = None
) -> tuple[list[tuple[ParsedFile, str]], StagedInsert | None]:
    """The files' records, read as texts into the relation `texts` (RecordRules.text_columns, keyed by file_path),
    decided in one query (their type's RecordRules), then the file rules (reader.finish_file). Every file is of one
    spec. Returns the parsed files in order, and, in an ingest into table, how to insert their accepted records."""
    if not files:
        return [], None
    spec = files[0].spec
    records: RecordRules = spec.records
    staged = table is not None
    row_type = (records.staged_as or records.row_type) if staged else records.row_type
    batch_files = pd.DataFrame({"file_index": range(len(files)), "file_path": [str(read.path) for read in files]})
    decided = _decide(con, records, texts, batch_files, row_type) if any(read.records for read in files) else []
    make_row = _row_maker(row_type)
    parsed_files, first = [], 0
    for read in files:
        parsed = ParsedFile(path=read.path, message_type=spec.message_type, state=read.state)
        rejected, end = read.rejected, first + read.records
        for code, ref, line, record, municipality, provider, period, reason, cents, *values in decided[first:end]:
            if code == "HEADER_INVALID":
                # The message-level fields this record needs were not read before it: reading stops at it.
                rejected = MessageRejected(code, reason)
                break
            if code is None:
                parsed.records.append(make_row(values))
            else:
                reason = f"{spec.record_tag} {ref} {record_place(line, record)}: {reason}"
                parsed.rejections.append(
                    Rejection(ref, code, reason, cents, line, record, municipality, provider, period)
                )
        finish_file(parsed, spec, rejected, read.schema_error)
        parsed_files.append((parsed, read.sha256))
        first = end
    if not (staged and decided):
        con.execute("drop table if exists decided_records")
        return parsed_files, None
    return parsed_files, records.insert_staged(table, [(read.path, read.sha256) for read in files])


def _row_maker(row_type: type) -> Callable[[list], Any]:
    """Builds a row_type from its fields' values in order: a NamedTuple by position (no dict a row), a dataclass,
    whose fields may be keyword-only, by name."""
    if issubclass(row_type, tuple):
        return row_type._make
    names = _field_names(row_type)
    return lambda values: row_type(**dict(zip(names, values, strict=True)))


def _decide(
    con: duckdb.DuckDBPyConnection, records: RecordRules, texts: str, batch_files: pd.DataFrame, row_type: type
) -> list[tuple]:
    with rule_functions(con, batch_files=batch_files):
        con.execute(
            f"""
            create or replace temp table staged_record_texts as
            select row_number() over (order by b.file_index, t.source_record) - 1 as ordinal, b.file_index, t.*
            from {texts} t join batch_files b using (file_path)
            """  # noqa: S608 - our own relation
        )
        con.execute(records.decide, {**records.built.parameters, "today": dt.date.today()})
    con.execute("drop table staged_record_texts")
    return con.execute(records.outcomes(row_type)).fetchall()

"""The region's own budget per municipality, year and perceel: a CSV the region keeps (format in docs/budgets.md).

Dutch Excel writes ';' with decimal commas ('1.234.567,89'); other tools write ',' with decimal points. The
delimiter is read from the header line and fixes the decimal separator, so '1.234' is never ambiguous. Every rule
that fails names the file, line and column; a bad row is quarantined alone. A file the csv module cannot read to
its end (a field beyond its size limit) is rejected whole: loading the rows before the break would drop the budget
lines after it without a trace.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from decimal import Decimal
from pathlib import Path

from orchestration.cbs.periods import JEUGDWET_YEARS
from orchestration.reasons import ReasonError
from orchestration.stored_text import TextError, shown, stored_text, without_layout
from orchestration.warehouse.load import ParsedFile, Rejection

MESSAGE_TYPE = "BUDGET:region"
COLUMNS = ("gemeente", "jaar", "perceel", "bedrag")
OPTIONAL_COLUMNS = ("toelichting",)
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_TEXT = 200
# EUR 10 billion: more than the Dutch youth-care spending of a year, so no perceel of one municipality comes near it,
# and the cents of a 20 MB file of such lines still sum inside a bigint.
MAX_AMOUNT_CENTS = 10**12
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
# Spreadsheet formula triggers (OWASP CSV injection): such text is stored with a leading apostrophe, so no BI
# export or Excel round trip ever evaluates it.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_AMOUNT = {
    ";": re.compile(r"^-?(?:[0-9]{1,3}(?:\.[0-9]{3})+|[0-9]+)(?:,[0-9]{1,2})?$"),
    ",": re.compile(r"^-?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]{1,2})?$"),
}


class RowError(ReasonError):
    """One budget row the reader quarantines, and the column at fault."""

    def __init__(self, reason_code: str, column: str, message: str) -> None:
        super().__init__(reason_code, message)
        self.column = column


def parse_amount_cents(text: str, delimiter: str) -> int:
    """Euros as written in the file -> cents. With ';' the decimal separator is ',' and '.' groups thousands;
    with ',' it is the other way round (a grouped amount must then be quoted). RowError beyond +-MAX_AMOUNT_CENTS."""
    value = text.strip().removeprefix("€").strip().replace(" ", "")
    if not _AMOUNT[delimiter].match(value):
        raise RowError("AMOUNT_INVALID", "bedrag", f"{shown(text)} is not an amount in euros with at most two decimals")
    thousands, decimal = (".", ",") if delimiter == ";" else (",", ".")
    euros = Decimal(value.replace(thousands, "").replace(decimal, "."))
    if abs(euros) * 100 > MAX_AMOUNT_CENTS:
        raise RowError("AMOUNT_OUT_OF_RANGE", "bedrag", f"{shown(text)} is beyond EUR {MAX_AMOUNT_CENTS // 100:,}")
    return int(euros * 100)


def neutralise_text(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_START) else text


def _decode(raw: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with a BOM (Excel's "Unicode text"), else Windows-1252 (Excel's "CSV" on
    Dutch Windows). UnicodeDecodeError for bytes none of these allows: never a replacement character in a name."""
    if raw.startswith(UTF16_BOMS):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252")


def _perceel(text: str) -> str:
    try:
        perceel = stored_text(text.strip(), MAX_TEXT)
    except TextError as error:
        raise RowError(error.reason_code, "perceel", str(error)) from error
    if not perceel:
        raise RowError("PERCEEL_INVALID", "perceel", f"perceel must be 1-{MAX_TEXT} characters")
    return perceel


def _note(text: str) -> str | None:
    # A toelichting is a remark, not in the marts: a long one is cut rather than stopping its budget line.
    try:
        note = without_layout(text)[:MAX_TEXT].strip()
    except TextError as error:
        raise RowError(error.reason_code, "toelichting", str(error)) from error
    return neutralise_text(note) if note else None


def _municipality(text: str, municipalities: set[str]) -> str:
    value = text.strip().upper()
    # Excel turns 0392 into 392: accept bare numbers and restore the GM prefix and leading zeros.
    if re.fullmatch(r"[0-9]{1,4}", value):
        value = f"GM{int(value):04d}"
    if not re.fullmatch(r"GM[0-9]{4}", value):
        raise RowError("MUNICIPALITY_INVALID", "gemeente", f"{shown(text)} is not a municipality code (GM0392 or 0392)")
    if value not in municipalities:
        raise RowError("MUNICIPALITY_UNKNOWN", "gemeente", f"{value} is not a municipality of this warehouse")
    return value


def _row(values: dict[str, str], delimiter: str, municipalities: set[str]) -> dict:
    municipality = _municipality(values["gemeente"], municipalities)
    year_text = values["jaar"].strip()
    if not re.fullmatch(r"[0-9]{4}", year_text) or int(year_text) not in JEUGDWET_YEARS:
        raise RowError("YEAR_INVALID", "jaar", f"{shown(year_text)} is not a Jeugdwet year 2015-2099")
    perceel = _perceel(values["perceel"])
    cents = parse_amount_cents(values["bedrag"], delimiter)
    # The blocking suite on raw.budget_region_lines holds every budget at zero or more.
    if cents < 0:
        raise RowError("AMOUNT_NEGATIVE", "bedrag", f"{shown(values['bedrag'])} is negative: a budget is not")
    return {
        "municipality_code": municipality,
        "year": int(year_text),
        "perceel": neutralise_text(perceel),
        "amount_cents": cents,
        "note": _note(values.get("toelichting", "")),
    }


def _readable_cents(amount: str, delimiter: str) -> int:
    """The cents a quarantined row carries into the ledger: 0 when its amount cannot be read or stored."""
    try:
        return parse_amount_cents(amount, delimiter)
    except RowError:
        return 0


def read_region_budget(path: Path, municipalities: set[str], data: bytes | None = None) -> ParsedFile:
    """data: the file's bytes, when the ingest already read them."""
    parsed = ParsedFile(path=path, message_type=MESSAGE_TYPE, cents_column="amount_cents")
    raw = path.read_bytes() if data is None else data
    if len(raw) > MAX_FILE_BYTES:
        return parsed.reject_file("FILE_TOO_LARGE", f"larger than {MAX_FILE_BYTES} bytes")
    try:
        text = _decode(raw)
    except UnicodeDecodeError as error:
        return parsed.reject_file("ENCODING_INVALID", f"neither UTF-8, UTF-16 with a BOM nor Windows-1252: {error}")
    header_line = text.splitlines()[0] if text.strip() else ""
    if not header_line:
        return parsed.reject_file("FILE_EMPTY", "no header line")
    if "\x00" in header_line:
        return parsed.reject_file("ENCODING_INVALID", "line 1: NUL characters in the header (UTF-16 without a BOM?)")
    delimiter = ";" if header_line.count(";") >= header_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        _read_rows(parsed, reader, delimiter, municipalities)
    except csv.Error as error:
        return parsed.reject_file("CSV_MALFORMED", f"line {reader.line_num}: {error}; the file is not read at all")
    return parsed


def _read_rows(parsed: ParsedFile, reader, delimiter: str, municipalities: set[str]) -> None:
    header = [name.strip().lower() for name in next(reader)]
    missing = [column for column in COLUMNS if column not in header]
    unknown = [column for column in header if column not in COLUMNS + OPTIONAL_COLUMNS]
    if missing or unknown or len(set(header)) != len(header):
        parsed.reject_file(
            "HEADER_INVALID",
            f"line 1: header must name {', '.join(COLUMNS)} (and optionally toelichting) once each; "
            f"missing {missing or 'none'}, unknown {', '.join(shown(name) for name in unknown[:5]) or 'none'}",
        )
        return
    seen: dict[tuple[str, int, str], int] = {}
    while True:
        # The line a row starts on: a quoted cell may run over several lines, and line_num is where the row ended.
        line = reader.line_num + 1
        cells = next(reader, None)
        if cells is None:
            break
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            reason = f"line {line}: {len(cells)} cells, the header has {len(header)}"
            parsed.rejections.append(Rejection(f"line {line}", "ROW_MALFORMED", reason))
            continue
        values = dict(zip(header, cells, strict=True))
        try:
            row = _row(values, delimiter, municipalities)
        except RowError as error:
            reason = f"line {line}, column '{error.column}': {error}"
            cents = _readable_cents(values["bedrag"], delimiter)
            parsed.rejections.append(Rejection(f"line {line}", error.reason_code, reason, cents))
            continue
        key = (row["municipality_code"], row["year"], row["perceel"])
        if key in seen:
            reason = f"line {line}: {key[0]} {key[1]} perceel {key[2]!r} already on line {seen[key]}"
            parsed.rejections.append(Rejection(f"line {line}", "DUPLICATE_ROW", reason, row["amount_cents"]))
            continue
        seen[key] = line
        parsed.rows.append({**row, "source_line": line})

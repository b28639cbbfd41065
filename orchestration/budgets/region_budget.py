"""The region's own budget per municipality, year and perceel: a CSV the region keeps (format in docs/budgets.md).

Dutch Excel writes ';' with decimal commas ('1.234.567,89'); other tools write ',' with decimal points. The
delimiter is read from the header line and fixes the decimal separator, so '1.234' is never ambiguous. Every rule
that fails names the file, line and column; a bad row is quarantined alone.
"""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal
from pathlib import Path

from orchestration.warehouse.load import ParsedFile, Rejection

MESSAGE_TYPE = "BUDGET:region"
COLUMNS = ("gemeente", "jaar", "perceel", "bedrag")
OPTIONAL_COLUMNS = ("toelichting",)
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_TEXT = 200
# Spreadsheet formula triggers (OWASP CSV injection): such text is stored with a leading apostrophe, so no BI
# export or Excel round trip ever evaluates it.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_AMOUNT = {
    ";": re.compile(r"^-?(?:[0-9]{1,3}(?:\.[0-9]{3})+|[0-9]+)(?:,[0-9]{1,2})?$"),
    ",": re.compile(r"^-?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]{1,2})?$"),
}


class RowError(ValueError):
    def __init__(self, reason_code: str, column: str, message: str) -> None:
        super().__init__(message)
        self.reason_code = reason_code
        self.column = column


def parse_amount_cents(text: str, delimiter: str) -> int:
    """Euros as written in the file -> cents. With ';' the decimal separator is ',' and '.' groups thousands;
    with ',' it is the other way round (a grouped amount must then be quoted)."""
    value = text.strip().removeprefix("€").strip().replace(" ", "")
    if not _AMOUNT[delimiter].match(value):
        raise ValueError(f"{text!r} is not an amount in euros with at most two decimals")
    thousands, decimal = (".", ",") if delimiter == ";" else (",", ".")
    return int(Decimal(value.replace(thousands, "").replace(decimal, ".")) * 100)


def neutralise_text(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_START) else text


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel's "CSV" export on Dutch Windows writes Windows-1252.
        return raw.decode("cp1252", errors="replace")


def _municipality(text: str, municipalities: set[str]) -> str:
    value = text.strip().upper()
    # Excel turns 0392 into 392: accept bare numbers and restore the GM prefix and leading zeros.
    if re.fullmatch(r"[0-9]{1,4}", value):
        value = f"GM{int(value):04d}"
    if not re.fullmatch(r"GM[0-9]{4}", value):
        raise RowError("MUNICIPALITY_INVALID", "gemeente", f"{text!r} is not a municipality code (GM0392 or 0392)")
    if value not in municipalities:
        raise RowError("MUNICIPALITY_UNKNOWN", "gemeente", f"{value} is not a municipality of this warehouse")
    return value


def _row(values: dict[str, str], delimiter: str, municipalities: set[str]) -> dict:
    municipality = _municipality(values["gemeente"], municipalities)
    year_text = values["jaar"].strip()
    if not re.fullmatch(r"20[0-9]{2}", year_text):
        raise RowError("YEAR_INVALID", "jaar", f"{year_text!r} is not a year 2000-2099")
    perceel = values["perceel"].strip()
    if not perceel or len(perceel) > MAX_TEXT:
        raise RowError("PERCEEL_INVALID", "perceel", f"perceel must be 1-{MAX_TEXT} characters")
    try:
        cents = parse_amount_cents(values["bedrag"], delimiter)
    except ValueError as error:
        raise RowError("AMOUNT_INVALID", "bedrag", str(error)) from error
    note = values.get("toelichting", "").strip()
    return {
        "municipality_code": municipality,
        "year": int(year_text),
        "perceel": neutralise_text(perceel),
        "amount_cents": cents,
        "note": neutralise_text(note[:MAX_TEXT]) if note else None,
    }


def read_region_budget(path: Path, municipalities: set[str], data: bytes | None = None) -> ParsedFile:
    """data: the file's bytes, when the ingest already read them."""
    parsed = ParsedFile(path=path, message_type=MESSAGE_TYPE, cents_column="amount_cents")
    raw = path.read_bytes() if data is None else data
    if len(raw) > MAX_FILE_BYTES:
        return parsed.reject_file("FILE_TOO_LARGE", f"larger than {MAX_FILE_BYTES} bytes")
    text = _decode(raw)
    header_line = text.splitlines()[0] if text.strip() else ""
    if not header_line:
        return parsed.reject_file("FILE_EMPTY", "no header line")
    delimiter = ";" if header_line.count(";") >= header_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [name.strip().lower() for name in next(reader)]
    missing = [column for column in COLUMNS if column not in header]
    unknown = [column for column in header if column not in COLUMNS + OPTIONAL_COLUMNS]
    if missing or unknown or len(set(header)) != len(header):
        return parsed.reject_file(
            "HEADER_INVALID",
            f"line 1: header must name {', '.join(COLUMNS)} (and optionally toelichting) once each; "
            f"missing {missing or 'none'}, unknown {unknown or 'none'}",
        )
    seen: dict[tuple[str, int, str], int] = {}
    for cells in reader:
        line = reader.line_num
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
            try:
                cents = parse_amount_cents(values["bedrag"], delimiter)
            except ValueError:
                cents = 0
            reason = f"line {line}, column '{error.column}': {error}"
            parsed.rejections.append(Rejection(f"line {line}", error.reason_code, reason, cents))
            continue
        key = (row["municipality_code"], row["year"], row["perceel"])
        if key in seen:
            reason = f"line {line}: {key[0]} {key[1]} perceel {key[2]!r} already on line {seen[key]}"
            parsed.rejections.append(Rejection(f"line {line}", "DUPLICATE_ROW", reason, row["amount_cents"]))
            continue
        seen[key] = line
        parsed.rows.append({**row, "source_line": line})
    return parsed

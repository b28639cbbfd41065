"""The KPI table of one region and quarter as an XLSX workbook, for controllers who work in Excel.

Text from the warehouse is written as text, never as a formula: a municipality or KPI name that starts with `=`, `+`,
`-` or `@` (CBS and region seeds are outside input) is stored as a string cell with Excel's quote prefix, so neither
Excel nor a CSV export of the sheet evaluates it (OWASP CSV injection).

The same data gives the same file, byte for byte: the workbook is dated the last day of its quarter (openpyxl would
write the clock's date into docProps/core.xml), and every zip entry carries the same fixed date.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime, time
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

from orchestration.report.data import ReportData
from orchestration.report.labels import LEVER_NL, SCOPE_NL, STATUS_NL, TREND_NL, UNIT_NL, quarter_bounds

KPI_SHEET = "KPI's"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")
HEADER_FILL = PatternFill("solid", fgColor="16324F")
STATUS_FILLS = {
    "red": PatternFill("solid", fgColor="FDE7E7"),
    "amber": PatternFill("solid", fgColor="FFF3DC"),
    "green": PatternFill("solid", fgColor="E6F4E7"),
    "no_data": PatternFill("solid", fgColor="EEEEEE"),
}
UNIT_FORMATS = {
    "count": "#,##0",
    "percent": '0.0"%"',
    "EUR": '"€" #,##0.00',
    "EUR_per_client": '"€" #,##0.00',
    "EUR_per_trajectory": '"€" #,##0.00',
    "days": '#,##0.0" dagen"',
}
# (header, width, value of a kpi_rows row); numbers stay numbers so controllers can compute with them.
COLUMNS: list[tuple[str, int, Any]] = [
    ("KPI-code", 28, lambda row: row["kpi_id"]),
    ("KPI", 42, lambda row: row["name_nl"]),
    ("Niveau", 12, lambda row: SCOPE_NL.get(row["scope_type"], row["scope_type"])),
    ("Code", 9, lambda row: row["scope_code"]),
    ("Naam", 22, lambda row: row["scope_name"]),
    ("Periode", 9, lambda row: row["period"]),
    ("Waarde", 14, lambda row: row["value"]),
    ("Eenheid", 16, lambda row: UNIT_NL.get(row["unit"], row["unit"])),
    ("Teller", 14, lambda row: _number(row["numerator"])),
    ("Noemer", 14, lambda row: _number(row["denominator"])),
    ("Doel", 12, lambda row: row["target"]),
    ("Ondergrens band", 12, lambda row: row["band_low"]),
    ("Bovengrens band", 12, lambda row: row["band_high"]),
    ("Signaal", 14, lambda row: STATUS_NL.get(row["status"]) if row["status"] else "geen norm"),
    ("Trend", 16, lambda row: TREND_NL.get(row["trend"], "") if row["trend"] else None),
    ("Hefboom", 26, lambda row: LEVER_NL.get(row["lever"], row["lever"])),
    ("Beleidsdoel", 34, lambda row: row["policy_goal"]),
]
VALUE_COLUMNS = {"Waarde", "Doel", "Ondergrens band", "Bovengrens band"}
ZIP_ENTRY_DATE = (1980, 1, 1, 0, 0, 0)
"""The earliest date a zip entry can carry, as reproducible builds use it."""


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def _put(sheet, row: int, column: int, value: Any):
    cell = sheet.cell(row=row, column=column)
    cell.value = value
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def write_kpi_workbook(data: ReportData, path: Path) -> int:
    """Write the workbook; returns the number of KPI rows."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = KPI_SHEET
    for column, (header, width, _) in enumerate(COLUMNS, start=1):
        cell = _put(sheet, 1, column, header)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)
        sheet.column_dimensions[get_column_letter(column)].width = width
    for row_number, row in enumerate(data.kpi_rows, start=2):
        number_format = UNIT_FORMATS.get(row["unit"], "General")
        for column, (header, _, value_of) in enumerate(COLUMNS, start=1):
            cell = _put(sheet, row_number, column, value_of(row))
            if header in VALUE_COLUMNS:
                cell.number_format = number_format
            elif header in ("Teller", "Noemer"):
                cell.number_format = "#,##0.##"
            elif header == "Signaal" and row["status"] in STATUS_FILLS:
                cell.fill = STATUS_FILLS[row["status"]]
    sheet.freeze_panes = "C2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{max(1, len(data.kpi_rows)) + 1}"

    about = workbook.create_sheet("Toelichting")
    notes = [
        ("Kwartaalrapportage jeugdhulp", f"{data.region_name} ({data.region_code})"),
        ("Kwartaal", data.quarter),
        ("Inhoud", "Elke KPI-waarde van de regio en haar gemeenten in dit kwartaal (report.rpt_kpi_rows)."),
        ("Signaal", "groen binnen het doel, oranje binnen de bandbreedte, rood daarbuiten (report.rpt_signals)."),
        ("Geen norm", "De KPI-catalogus kent voor deze KPI geen doel: kengetal ter duiding."),
        ("Bedragen", "Waarde in euro; teller van bedragen in eurocent."),
        ("Definities", "docs/kpis.md van het datawarehouse."),
    ]
    for row_number, (label, text) in enumerate(notes, start=1):
        _put(about, row_number, 1, label).font = Font(bold=True)
        _put(about, row_number, 2, text)
    about.column_dimensions["A"].width = 30
    about.column_dimensions["B"].width = 100
    path.parent.mkdir(parents=True, exist_ok=True)
    _save_reproducibly(workbook, path, datetime.combine(quarter_bounds(data.quarter)[1], time()))
    return len(data.kpi_rows)


def _save_reproducibly(workbook: Workbook, path: Path, dated: datetime) -> None:
    """Workbook.save stamps the clock into the properties and each zip entry; ExcelWriter leaves the properties as
    they are, and the entries are copied with a fixed date."""
    workbook.properties.created = workbook.properties.modified = dated
    written = io.BytesIO()
    ExcelWriter(workbook, zipfile.ZipFile(written, "w", zipfile.ZIP_DEFLATED)).save()
    with zipfile.ZipFile(written) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            fixed = zipfile.ZipInfo(entry.filename, date_time=ZIP_ENTRY_DATE)
            fixed.compress_type, fixed.external_attr = zipfile.ZIP_DEFLATED, entry.external_attr
            target.writestr(fixed, source.read(entry))

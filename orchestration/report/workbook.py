"""The KPI table of one region and quarter as an XLSX workbook, for controllers who work in Excel, with the dialogue
agenda, the budget forecast and the KPI definitions as sheets of their own; percentages are stored as fractions with a
percent format, so formulas compute with them.

Text from the warehouse is written as text, never as a formula: a municipality or KPI name that starts with `=`, `+`,
`-` or `@` (CBS and region seeds are outside input) is stored as a string cell with Excel's quote prefix, so neither
Excel nor a CSV export of the sheet evaluates it (OWASP CSV injection).

The same data gives the same file, byte for byte: the workbook is dated the last day of its quarter (openpyxl would
write the clock's date into docProps/core.xml), and every zip entry carries the same fixed date.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

from orchestration.formats import date_nl
from orchestration.report.data import ReportData, Row
from orchestration.report.labels import (
    AGENDA_TYPE_NL,
    BOUNDARY_NL,
    LEVER_NL,
    SCOPE_NL,
    STATUS_NL,
    TREND_NL,
    UNIT_NL,
    quarter_bounds,
)

KPI_SHEET = "KPI's"
AGENDA_SHEET = "Gespreksagenda"
BUDGET_SHEET = "Budgetprognose"
DEFINITIONS_SHEET = "KPI-definities"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")
HEADER_FILL = PatternFill("solid", fgColor="16324F")
STATUS_FILLS = {
    "red": PatternFill("solid", fgColor="FDE7E7"),
    "amber": PatternFill("solid", fgColor="FFF3DC"),
    "green": PatternFill("solid", fgColor="E6F4E7"),
    "no_data": PatternFill("solid", fgColor="EEEEEE"),
}
EURO_FORMAT = '"€" #,##0'
UNIT_FORMATS = {
    "count": "#,##0",
    # rpt_kpi_rows stores a percentage as a fraction (workbook_value), so Excel computes with it as a share.
    "percent": "0.0%",
    "EUR": '"€" #,##0.00',
    "EUR_per_client": '"€" #,##0.00',
    "EUR_per_trajectory": '"€" #,##0.00',
    "days": '#,##0.0" dagen"',
}


@dataclass(frozen=True)
class Column:
    """A sheet column: header, width, the cell's value from a row, and its number format (per row, or none)."""

    header: str
    width: int
    value: Callable[[Row], Any]
    number_format: Callable[[Row], str] | None = None


def _unit_format(row: Row) -> str:
    return UNIT_FORMATS.get(row["unit"], "General")


def _euros(column: str) -> Callable[[Row], float | None]:
    """Eurocents as euros (the unit conversion orchestration/formats.py makes for the page)."""
    return lambda row: None if row[column] is None else row[column] / 100


LOOKBACK_NL = {True: "ja", False: "nee"}
DIRECTION_NL = {"higher_is_better": "hoger is beter", "lower_is_better": "lager is beter", "none": "geen"}
# Numbers stay numbers so controllers can compute with them.
KPI_COLUMNS = [
    Column("KPI-code", 28, lambda row: row["kpi_id"]),
    Column("KPI", 42, lambda row: row["name_nl"]),
    Column("Niveau", 12, lambda row: SCOPE_NL.get(row["scope_type"], row["scope_type"])),
    Column("Code", 9, lambda row: row["scope_code"]),
    Column("Naam", 22, lambda row: row["scope_name"]),
    Column("Periode", 9, lambda row: row["period"]),
    Column("Waarde", 14, lambda row: row["workbook_value"], _unit_format),
    Column("Eenheid", 16, lambda row: UNIT_NL.get(row["unit"], row["unit"])),
    Column("Teller", 14, lambda row: _number(row["numerator"]), lambda row: "#,##0.##"),
    Column("Noemer", 14, lambda row: _number(row["denominator"]), lambda row: "#,##0.##"),
    Column("Grootteklasse", 26, lambda row: row["size_class_name"]),
    Column("Waarde grootteklasse", 14, lambda row: row["workbook_size_class_value"], _unit_format),
    Column("Doel", 12, lambda row: row["workbook_target"], _unit_format),
    Column("Ondergrens band", 12, lambda row: row["workbook_band_low"], _unit_format),
    Column("Bovengrens band", 12, lambda row: row["workbook_band_high"], _unit_format),
    Column("Signaal", 14, lambda row: STATUS_NL.get(row["status"]) if row["status"] else "geen norm"),
    Column("Trend", 16, lambda row: TREND_NL.get(row["trend"], "") if row["trend"] else None),
    Column("Terugkijkperiode volledig", 14, lambda row: LOOKBACK_NL.get(row["lookback_complete"])),
    Column("Hefboom", 26, lambda row: LEVER_NL.get(row["lever"], row["lever"])),
    Column("Beleidsdoel", 34, lambda row: row["policy_goal"]),
    Column("Bron CBS", 50, lambda row: row["cbs_source"]),
]
AGENDA_COLUMNS = [
    Column("Agenda van", 30, lambda row: row["provider_name"] or "regio"),
    Column("AGB", 10, lambda row: row["provider_agb"]),
    Column("Rang", 6, lambda row: row["item_rank"], lambda row: "0"),
    Column("Soort", 20, lambda row: AGENDA_TYPE_NL.get(row["item_type"], row["item_type"])),
    Column("Niveau", 12, lambda row: SCOPE_NL.get(row["scope_type"], row["scope_type"])),
    Column("Naam", 26, lambda row: row["scope_name"]),
    Column("Samenvatting", 80, lambda row: row["summary_nl"]),
    Column("Vraag", 60, lambda row: row["question_nl"]),
]
BUDGET_COLUMNS = [
    Column("Gemeente", 22, lambda row: row["municipality_name"]),
    Column("Perceel", 26, lambda row: row["perceel"]),
    Column("Gerealiseerd", 16, _euros("realised_cents_ytd"), lambda row: EURO_FORMAT),
    Column("Prognose jaareinde", 16, _euros("forecast_year_end_cents"), lambda row: EURO_FORMAT),
    Column("Foutmarge (±)", 16, _euros("forecast_error_bound_cents"), lambda row: EURO_FORMAT),
    Column("Budget", 16, _euros("budget_cents"), lambda row: EURO_FORMAT),
    Column("Verwachte overschrijding", 16, _euros("expected_overrun_cents"), lambda row: EURO_FORMAT),
    Column("Kader", 16, lambda row: BOUNDARY_NL.get(row["boundary_status"], row["boundary_status"])),
]
DEFINITION_COLUMNS = [
    Column("KPI-code", 28, lambda row: row["kpi_id"]),
    Column("KPI", 42, lambda row: row["name_nl"]),
    Column("Definitie", 80, lambda row: row["definition"]),
    Column("Teller", 40, lambda row: row["numerator"]),
    Column("Noemer", 40, lambda row: row["denominator"]),
    Column("Eenheid", 16, lambda row: UNIT_NL.get(row["unit"], row["unit"])),
    Column("Richting", 16, lambda row: DIRECTION_NL.get(row["direction"], row["direction"])),
    Column("Hefboom", 26, lambda row: LEVER_NL.get(row["lever"], row["lever"])),
    Column("Beleidsdoel", 34, lambda row: row["policy_goal"]),
    Column("Bron", 40, lambda row: row["source_document"]),
]
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


def _table(workbook: Workbook, title: str, columns: list[Column], rows: list[Row]):
    """A sheet with a frozen header row and a filter, one row per row."""
    sheet = workbook.create_sheet(title)
    for number, column in enumerate(columns, start=1):
        cell = _put(sheet, 1, number, column.header)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)
        sheet.column_dimensions[get_column_letter(number)].width = column.width
    for row_number, row in enumerate(rows, start=2):
        for number, column in enumerate(columns, start=1):
            cell = _put(sheet, row_number, number, column.value(row))
            if column.number_format is not None:
                cell.number_format = column.number_format(row)
    sheet.freeze_panes = "C2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(1, len(rows)) + 1}"
    return sheet


def write_kpi_workbook(data: ReportData, path: Path) -> int:
    """Write the workbook; returns the number of KPI rows."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    kpis = _table(workbook, KPI_SHEET, KPI_COLUMNS, data.kpi_rows)
    signal = next(number for number, column in enumerate(KPI_COLUMNS, start=1) if column.header == "Signaal")
    for row_number, row in enumerate(data.kpi_rows, start=2):
        if row["status"] in STATUS_FILLS:
            kpis.cell(row=row_number, column=signal).fill = STATUS_FILLS[row["status"]]
    _table(workbook, AGENDA_SHEET, AGENDA_COLUMNS, data.agenda)
    _table(workbook, BUDGET_SHEET, BUDGET_COLUMNS, data.budget_forecast)
    _table(workbook, DEFINITIONS_SHEET, DEFINITION_COLUMNS, data.kpi_definitions)

    about = workbook.create_sheet("Toelichting")
    cut = data.data_cut[0]["data_cut_date"] if data.data_cut else None
    notes = [
        ("Kwartaalrapportage jeugdhulp", f"{data.region_name} ({data.region_code})"),
        ("Kwartaal", data.quarter),
        ("Peildatum gegevens", f"declaraties tot en met {date_nl(cut)}" if cut else "geen declaraties ontvangen"),
        ("Gemaakt door run", data.run_id or "onbekend"),
        (KPI_SHEET, "Elke KPI-waarde van de regio en haar gemeenten in dit kwartaal (report.rpt_kpi_rows)."),
        ("Signaal", "groen binnen het doel, oranje binnen de bandbreedte, rood daarbuiten (report.rpt_signals)."),
        ("Geen norm", "De KPI-catalogus kent voor deze KPI geen doel: kengetal ter duiding."),
        ("Percentages", "Opgeslagen als fractie met procentnotatie (12,5% is 0,125), zodat formules ermee rekenen."),
        ("Bedragen", "Waarde in euro; teller van bedragen in eurocent."),
        (AGENDA_SHEET, "De punten voor het kwartaalgesprek, de regio eerst, dan per aanbieder (report.rpt_agenda)."),
        (BUDGET_SHEET, "Per gemeente en perceel, in euro, per dit kwartaal (report.rpt_budget_forecast)."),
        (DEFINITIONS_SHEET, "De definitie van elke KPI in dit overzicht, uit de KPI-catalogus (docs/kpis.md)."),
        (
            "Grootteklasse",
            "Bij een gemeente: de waarde van de gemeenten in dezelfde CBS-gemeentegrootteklasse (naar inwonertal) "
            "die gegevens leveren, samen geteld zoals een regio; leeg waar er geen is of onder de publicatiedrempel.",
        ),
        *(("Bron CBS", line) for line in sorted({row["source_line"] for row in data.cbs_sources})),
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

"""Write the quarterly report (HTML and XLSX) of every region for each of the latest four quarters with data."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration.report.data import load_report_data, report_periods
from orchestration.report.html import render_report_html
from orchestration.report.workbook import write_kpi_workbook


@dataclass(frozen=True)
class WrittenReport:
    region_code: str
    quarter: str
    html_path: Path
    xlsx_path: Path
    red_signals: int
    agenda_items: int
    kpi_rows: int


def report_paths(reports_dir: Path, region_code: str, quarter: str) -> tuple[Path, Path]:
    folder = reports_dir / region_code
    return folder / f"{quarter}.html", folder / f"{quarter}.xlsx"


def write_reports(warehouse_path: Path, reports_dir: Path) -> list[WrittenReport]:
    """Render every (region, quarter) of report_periods; each file is written beside its target and renamed over it,
    so a reader never sees half a report."""
    written = []
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        for region_code, quarter in report_periods(con):
            data = load_report_data(con, region_code, quarter)
            html_path, xlsx_path = report_paths(reports_dir, region_code, quarter)
            html_path.parent.mkdir(parents=True, exist_ok=True)
            html_tmp = html_path.with_suffix(".html.tmp")
            html_tmp.write_text(render_report_html(data), encoding="utf-8")
            xlsx_tmp = xlsx_path.with_suffix(".xlsx.tmp")
            kpi_rows = write_kpi_workbook(data, xlsx_tmp)
            os.replace(html_tmp, html_path)
            os.replace(xlsx_tmp, xlsx_path)
            written.append(
                WrittenReport(
                    region_code=region_code,
                    quarter=quarter,
                    html_path=html_path,
                    xlsx_path=xlsx_path,
                    red_signals=sum(row["status"] == "red" for row in data.signals),
                    agenda_items=len(data.agenda),
                    kpi_rows=kpi_rows,
                )
            )
    return written

"""Write the quarterly report (HTML and XLSX) of every region for each of the latest four quarters with data, and
its provider editions (each provider's own rows beside the region's aggregates), from the warehouse's dbt report
layer (schema `report`, read-only)."""

from __future__ import annotations

import multiprocessing
import os
from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import duckdb

from orchestration.report.data import (
    ReportData,
    load_provider_editions,
    load_quarter_data,
    provider_editions,
    report_periods,
)
from orchestration.report.html import render_report_html
from orchestration.report.workbook import write_kpi_workbook

MAX_WORKERS = 4
"""Rendering is CPU-bound (jinja2, openpyxl), so one process per core; at most four, to keep the memory of the
pipeline's last step small."""
REPORTS_PER_WORKER = 20
"""A worker takes a moment to start (its imports), as long as several reports take to render: with fewer reports than
this per worker an extra process costs more than it saves (the 16 reports of the sample took 1.1-1.3 s in process and
1.4-1.6 s on two workers; a national year's 168 took 25.0 s in process and 14.7-16.8 s on two)."""


@dataclass(frozen=True)
class WrittenReport:
    region_code: str
    quarter: str
    html_path: Path
    xlsx_path: Path
    red_signals: int
    agenda_items: int
    kpi_rows: int
    provider_agb: str | None = None


def report_paths(
    reports_dir: Path, region_code: str, quarter: str, provider_agb: str | None = None
) -> tuple[Path, Path]:
    """<region>/<quarter>.html for the region's edition, <region>/<quarter>/providers/<agb>.html for a provider's."""
    folder = reports_dir / region_code
    if provider_agb is not None:
        folder, quarter = folder / quarter / "providers", provider_agb
    return folder / f"{quarter}.html", folder / f"{quarter}.xlsx"


def write_region_report(
    quarter: str, region_code: str, run_id: str, warehouse_path: Path, reports_dir: Path
) -> WrittenReport:
    """Render the region's report of one quarter into reports_dir (<region>/<quarter>.html and .xlsx), stating run_id
    as the run that made it: the entry point for a caller that writes one report, such as a quarterly close."""
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        if (region_code, quarter) not in report_periods(con):
            raise ValueError(f"no report for region {region_code} in {quarter} (report.rpt_periods)")
        (data,) = load_quarter_data(con, quarter, [region_code], run_id)
    return write_report(data, reports_dir)


def write_reports(
    warehouse_path: Path, reports_dir: Path, workers: int | None = None, run_id: str | None = None
) -> list[WrittenReport]:
    """Render every (region, quarter) of report_periods, in that order, on `workers` processes (1 renders in this
    process; by default one per core, at most MAX_WORKERS and one per REPORTS_PER_WORKER reports), each stating run_id
    as the run that made it. Each file is written beside its target and renamed over it, so a reader never sees half a
    report."""
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        periods = report_periods(con)
        regions: dict[str, list[str]] = defaultdict(list)
        for region_code, quarter in periods:
            regions[quarter].append(region_code)
        quarters = (load_quarter_data(con, quarter, region_codes, run_id) for quarter, region_codes in regions.items())
        written = _write_all(quarters, len(periods), reports_dir, workers)
    by_period = {(report.region_code, report.quarter): report for report in written}
    return [by_period[period] for period in periods]


def write_provider_editions(
    warehouse_path: Path, reports_dir: Path, workers: int | None = None, run_id: str | None = None
) -> list[WrittenReport]:
    """Render every provider edition of rpt_provider_editions, in that order, as write_reports renders the regions'."""
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        editions = provider_editions(con)
        by_quarter: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for region_code, quarter, provider_agb in editions:
            by_quarter[quarter].append((region_code, provider_agb))
        quarters = (load_provider_editions(con, quarter, pairs, run_id) for quarter, pairs in by_quarter.items())
        written = _write_all(quarters, len(editions), reports_dir, workers)
    by_edition = {(report.region_code, report.quarter, report.provider_agb): report for report in written}
    return [by_edition[edition] for edition in editions]


def _write_all(
    quarters: Iterable[list[ReportData]], reports: int, reports_dir: Path, workers: int | None
) -> list[WrittenReport]:
    write = partial(write_report, reports_dir=reports_dir)
    if workers is None:
        workers = min(MAX_WORKERS, os.cpu_count() or 1, reports // REPORTS_PER_WORKER)
    if workers <= 1:
        return [write(data) for quarter in quarters for data in quarter]
    return _write_in_processes(write, quarters, workers)


def _write_in_processes(
    write: Callable[[ReportData], WrittenReport], quarters: Iterable[list[ReportData]], workers: int
) -> list[WrittenReport]:
    # Not fork: the Dagster run process has threads (DuckDB's among them), and a forked child can inherit a lock one
    # of them holds.
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
    try:
        written: list[WrittenReport] = []
        previous: list[Future[WrittenReport]] = []
        for quarter in quarters:
            current = [pool.submit(write, data) for data in quarter]
            # One quarter queued behind the one being rendered keeps the workers busy; reading further ahead would
            # only hold more data in memory.
            written += [future.result() for future in previous]
            previous = current
        return written + [future.result() for future in previous]
    finally:
        # After a failure the reports still queued are not rendered, as the loop in one process stops there.
        pool.shutdown(cancel_futures=True)


def write_report(data: ReportData, reports_dir: Path) -> WrittenReport:
    html_path, xlsx_path = report_paths(reports_dir, data.region_code, data.quarter, data.provider_agb)
    html_path.parent.mkdir(parents=True, exist_ok=True)
    html_tmp = html_path.with_suffix(".html.tmp")
    html_tmp.write_text(render_report_html(data), encoding="utf-8")
    xlsx_tmp = xlsx_path.with_suffix(".xlsx.tmp")
    kpi_rows = write_kpi_workbook(data, xlsx_tmp)
    os.replace(html_tmp, html_path)
    os.replace(xlsx_tmp, xlsx_path)
    return WrittenReport(
        region_code=data.region_code,
        quarter=data.quarter,
        html_path=html_path,
        xlsx_path=xlsx_path,
        red_signals=data.red_signals,
        agenda_items=len(data.agenda),
        kpi_rows=kpi_rows,
        provider_agb=data.provider_agb,
    )

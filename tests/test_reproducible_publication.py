"""The same data gives the same publication: the withheld set, every published table and every report file.

DuckDB scans in parallel, so rows reach a query, an aggregate or the suppression in an order that changes from run
to run. These tests hand the same rows over in other orders and require the same result, to the byte.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import shutil
import time
import zipfile
from pathlib import Path

import duckdb
import pytest
from dagster_dbt import DagsterDbtCliRuntimeError

from orchestration.report.build import write_reports
from orchestration.warehouse.publish import PUBLISHED_FILENAME
from orchestration.warehouse.schema import ensure_schema
from tests.dbt_workspace import run_dbt
from tests.publication_dbt import build_suppression, kpi_row
from tests.report_marts import build_report_marts
from tests.row_order import reorder_every_table
from tests.steering_dbt import query

CATALOGUE = [
    ("clients", "count", "count", "none"),
    ("trajectories_started", "count", "count", "none"),
    ("clients_share", "percent", "count", "count"),
    ("allocations", "count", "count", "none"),
    ("referrer_share_01", "percent", "count", "count"),
    ("referrer_share_02", "percent", "count", "count"),
    ("referrer_share_05", "percent", "count", "count"),
]
QUARTERS = [f"2024-Q{number}" for number in range(1, 5)]


def world(seed: int) -> tuple[list[dict], list[tuple[str, str]]]:
    """KPI rows of two regions of three municipalities each, with care forms, every quarter, half-year and the
    year, and referrer shares: counts drawn so that a few are small and many sums need a complement, with ties."""
    draw = random.Random(seed)
    region_of = {f"GM{region}{number:03d}": f"JZ0{region}" for region in (1, 2) for number in range(1, 4)}
    rows: list[dict] = []

    def add(kpi_id, scope_type, scope_code, period_type, period, value, numerator, denominator=None):
        unit = next(unit for kpi, unit, *_ in CATALOGUE if kpi == kpi_id)
        rows.append(kpi_row(kpi_id, unit, value, numerator, denominator, scope_type, scope_code, period_type, period))

    def count() -> int:
        return draw.choice([0, 2, 5, 9, 12, 12, 15, 20, 20, 31, 40])

    scopes = [("municipality", code) for code in region_of] + [("care_form", form) for form in ("10", "40", "51")]
    for kpi_id in ("clients", "trajectories_started"):
        for scope_type, scope_code in scopes:
            quarters = {quarter: count() for quarter in QUARTERS}
            for quarter, clients in quarters.items():
                add(kpi_id, scope_type, scope_code, "quarter", quarter, float(clients), clients)
            halves = {"2024-H1": quarters["2024-Q1"] + quarters["2024-Q2"]}
            halves["2024-H2"] = quarters["2024-Q3"] + quarters["2024-Q4"]
            for half, clients in halves.items():
                add(kpi_id, scope_type, scope_code, "half_year", half, float(clients), clients)
            year = sum(quarters.values())
            add(kpi_id, scope_type, scope_code, "year", "2024", float(year), year)
        for region in ("JZ01", "JZ02"):
            for period_type, period in [("quarter", quarter) for quarter in QUARTERS] + [("year", "2024")]:
                members = [
                    row["value"]
                    for row in rows
                    if row["kpi_id"] == kpi_id
                    and row["scope_type"] == "municipality"
                    and region_of[row["scope_code"]] == region
                    and row["period"] == period
                ]
                add(kpi_id, "region", region, period_type, period, sum(members), sum(members))
    for scope_type, scope_code in scopes:
        for quarter in QUARTERS:
            clients = count()
            population = draw.choice([200, 400])
            add(
                "clients_share",
                scope_type,
                scope_code,
                "quarter",
                quarter,
                100 * clients / population,
                clients,
                population,
            )
            referred = {code: count() for code in ("01", "02", "05")}
            total = sum(referred.values())
            add("allocations", scope_type, scope_code, "quarter", quarter, float(total), total)
            for code, referrals in referred.items():
                share = 100 * referrals / total if total else None
                add(f"referrer_share_{code}", scope_type, scope_code, "quarter", quarter, share, referrals, total)
    return rows, sorted(region_of.items())


def withheld_set(db: Path) -> set[tuple]:
    return set(
        query(
            db, "select kpi_id, scope_type, scope_code, period_type, period from intermediate.int_kpi_values_withheld"
        )
    )


@pytest.mark.parametrize("seed", range(2))
def test_the_same_cells_in_any_order_withhold_the_same_set(seed, tmp_path):
    rows, municipalities = world(seed)
    shuffled = rows[:]
    random.Random(1000 + seed).shuffle(shuffled)
    build_suppression(tmp_path / "sorted.duckdb", rows, CATALOGUE, municipalities)
    build_suppression(tmp_path / "shuffled.duckdb", shuffled, CATALOGUE, municipalities)
    expected = withheld_set(tmp_path / "sorted.duckdb")
    # The world must exercise the complements, or order could not matter.
    primary = query(
        tmp_path / "sorted.duckdb", "select count(*) from intermediate.int_kpi_values_withheld where is_primary"
    )
    assert len(expected) > primary[0][0] > 0
    assert withheld_set(tmp_path / "shuffled.duckdb") == expected


def test_a_key_given_twice_fails_the_build(tmp_path):
    """Which of two rows with one key to withhold would depend on scan order: dbt's tests refuse the table."""
    row = kpi_row("clients", "count", 4.0, 4, None, "municipality", "GM1001", "quarter", "2024-Q1")
    with pytest.raises(DagsterDbtCliRuntimeError):
        build_suppression(tmp_path / "twice.duckdb", [row, row], CATALOGUE, [("GM1001", "JZ01")])


def published_tables(db: Path) -> dict[str, list[tuple]]:
    """Every table of the published file, its rows in the order the file stores them."""
    with duckdb.connect(str(db), read_only=True) as con:
        tables = [name for (name,) in con.execute("select table_name from duckdb_tables() order by 1").fetchall()]
        return {table: con.execute(f"select * from {table}").fetchall() for table in tables}


def report_files(reports_dir: Path) -> dict[str, bytes]:
    return {str(path.relative_to(reports_dir)): path.read_bytes() for path in sorted(reports_dir.rglob("*.*"))}


def test_reports_of_the_same_marts_are_the_same_bytes_whatever_the_row_order_and_the_clock(tmp_path):
    first = build_report_marts(tmp_path / "first.duckdb")
    second = Path(shutil.copy(first, tmp_path / "second.duckdb"))
    # The report reads its dbt models (schema report); their stored order must not reach the page.
    reorder_every_table(second, "report")
    write_reports(first, tmp_path / "first", workers=1)
    # A zip entry's time has a resolution of two seconds: a later clock must show in a workbook that stamps it.
    time.sleep(2.1)
    write_reports(second, tmp_path / "second", workers=1)
    written = report_files(tmp_path / "first")
    assert any(name.endswith(".xlsx") for name in written) and any(name.endswith(".html") for name in written)
    assert report_files(tmp_path / "second") == written


def report_contents(reports_dir: Path, run_id: str) -> dict[str, bytes | dict[str, bytes]]:
    """report_files with the run id replaced by a placeholder; a workbook as its zip entries (compressed, its bytes
    would hide the run id)."""
    contents: dict[str, bytes | dict[str, bytes]] = {}
    for name, data in report_files(reports_dir).items():
        if name.endswith(".xlsx"):
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                contents[name] = {
                    entry: archive.read(entry).replace(run_id.encode(), b"<run>") for entry in archive.namelist()
                }
        else:
            contents[name] = data.replace(run_id.encode(), b"<run>")
    return contents


def test_the_sample_built_again_from_its_raw_rows_in_another_order_publishes_the_same_bytes(sample_run):
    """The shipped sample's second run rebuilds every model from the raw and audit rows stored in reverse order
    (tests/conftest.py): every published table equals the first run's row for row, in order, and every report file
    byte for byte."""
    first = sample_run["first_publication"]
    assert sample_run["second"].success
    published = published_tables(first / "published" / PUBLISHED_FILENAME)
    assert {"kpi_values", "steering_drivers", "dialogue_agenda", "cost_variance", "budget_forecast"} <= published.keys()
    assert any(suppressed for *_, suppressed in published["kpi_values"])
    again = published_tables(sample_run["warehouse"] / "published" / PUBLISHED_FILENAME)
    assert again.keys() == published.keys()
    assert [table for table, rows in published.items() if again[table] != rows] == []
    # Each report states the run that wrote it (docs/report.md), the one thing two runs may not share.
    reports = report_contents(first / "reports", sample_run["first"].run_id)
    assert any(name.endswith(".xlsx") for name in reports)
    assert report_contents(sample_run["warehouse"] / "reports", sample_run["second"].run_id) == reports


ONE_LINE_FILE = "landing/ijw/98000001/JW301_one_line.xml"


def one_line_deliveries() -> dict[str, list[tuple]]:
    """Two versions of allocation 1001 and two starts of its product in one message written on one line: every record
    has source line 1, the same file and message date, so only its position in the file (source_record) tells them
    apart; the later one is the latest."""
    allocation = (
        "client-1",
        2012,
        5,
        "1",
        "GM0392",
        "98000001",
        "M1",
        dt.date(2024, 3, 1),
        1001,
        "R1",
        "45",
        "45A48",
        dt.date(2024, 2, 20),
        dt.date(2024, 3, 1),
    )
    allocations = [
        (*allocation, valid_to, None, volume, "04", "2", None, 1, record, ONE_LINE_FILE, "sha-1", INGESTED, "run-1")
        for record, (valid_to, volume) in enumerate(((dt.date(2024, 6, 30), 10), (dt.date(2024, 12, 31), 12)), 1)
    ]
    start = ("client-1", "GM0392", "98000001", "M2", dt.date(2024, 3, 5), 1001, "45", "45A48", dt.date(2024, 3, 1))
    start_file = ONE_LINE_FILE.replace("JW301", "JW305")
    starts = [
        (*start, start_date, None, None, "1", 1, record, start_file, "sha-2", INGESTED, "run-1")
        for record, start_date in enumerate((dt.date(2024, 3, 2), dt.date(2024, 3, 4)), 1)
    ]
    return {"raw.ijw_allocations": allocations, "raw.ijw_start_events": starts}


INGESTED = dt.datetime(2024, 3, 6, 12, tzinfo=dt.UTC)
EPISODE_MODELS = ["int_allocations_referred", "int_care_episodes_applied"]


def latest_allocation_and_episode(db: Path) -> list[tuple]:
    return query(
        db,
        "select a.allocation_number, a.valid_to, a.volume, e.start_date"
        " from intermediate.int_allocations_referred as a"
        " join intermediate.int_care_episodes_applied as e using (allocation_number)",
    )


def test_records_tied_on_file_and_line_give_the_same_allocation_and_episode_in_any_order(tmp_path):
    db = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(db)) as con:
        ensure_schema(con)
        for table, rows in one_line_deliveries().items():
            con.executemany(f"insert into {table} values ({', '.join('?' * len(rows[0]))})", rows)
    # The seeds and models up to the episodes, without the star schema's tests (they need facts not built here).
    run_dbt(db, ["build", "--select", "+int_care_episodes_applied", "--indirect-selection", "cautious"])
    first = latest_allocation_and_episode(db)
    reorder_every_table(db, "raw")
    run_dbt(db, ["run", "--select", " ".join(EPISODE_MODELS)])
    assert first == [(1001, dt.date(2024, 12, 31), 12, dt.date(2024, 3, 4))]
    assert latest_allocation_and_episode(db) == first

"""Loading one hostile CBS snapshot or budget CSV as its asset would, and the quarantine rows it leaves: shared by
tests/test_hostile_input.py and tests/test_hostile_cbs_budgets.py."""

from __future__ import annotations

from pathlib import Path

import duckdb

from orchestration.budgets.region_budget import MAX_FILE_BYTES as MAX_BUDGET_BYTES
from orchestration.budgets.region_budget import MESSAGE_TYPE as BUDGET_MESSAGE_TYPE
from orchestration.budgets.region_budget import read_region_budget
from orchestration.cbs.datasets import IV3, STATISTICS_DATASETS, CbsDataset, read_dataset_file
from orchestration.cbs.snapshot import MAX_SNAPSHOT_BYTES
from orchestration.reference import municipality_regions
from orchestration.warehouse.load import RawSource, ingest_files

BUDGET_TABLE = "raw.budget_region_lines"
# The raw table of each CBS and budget message type, for assert_invariants.
CBS_BUDGET_TABLES = {BUDGET_MESSAGE_TYPE: BUDGET_TABLE, "CBS:45046NED": IV3.raw_table, "CBS:IV3": IV3.raw_table}
CBS_BUDGET_TABLES |= {
    f"CBS:{table_id}": dataset.raw_table for dataset in STATISTICS_DATASETS for table_id in dataset.table_ids
}


def dataset_of(path: Path) -> CbsDataset:
    return IV3 if path.parent.name == "budgets" else next(d for d in STATISTICS_DATASETS if d.claims(path))


def ingest_cbs_or_budget(con: duckdb.DuckDBPyConnection, path: Path) -> str:
    """Load one landed file as its asset would; returns the raw table."""
    landing = path.parents[1]
    if path.suffix == ".csv":
        read = lambda p, data: read_region_budget(p, set(municipality_regions()), data)  # noqa: E731 - binds them
        ingest_files(
            con, [path], RawSource(BUDGET_MESSAGE_TYPE, read, BUDGET_TABLE, MAX_BUDGET_BYTES), "hostile-run", landing
        )
        return BUDGET_TABLE
    dataset = dataset_of(path)
    read = lambda p, data: read_dataset_file(p, dataset, data)  # noqa: E731 - binds the dataset
    source = RawSource(f"CBS:{dataset.table_ids[0]}", read, dataset.raw_table, MAX_SNAPSHOT_BYTES)
    ingest_files(con, [path], source, "hostile-run", landing)
    return dataset.raw_table


def quarantine_rows(con, path: Path) -> list[tuple]:
    return con.execute(
        "select record_ref, reason_code, reason, amount_cents from audit.quarantine where file_path = ? order by all",
        [str(path)],
    ).fetchall()


def quarantined_reason(con, path: Path, reason_code: str, record_ref: str | None) -> str:
    """The reason of `path`'s quarantine row with `reason_code` on `record_ref`; fails the test when it has none."""
    rows = quarantine_rows(con, path)
    matching = [row for row in rows if row[1] == reason_code and row[0] == record_ref]
    assert matching, f"expected {reason_code} on {record_ref}, got {rows}"
    return matching[0][2]

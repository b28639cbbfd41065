"""The iJw ingest in lanes (orchestration/warehouse/ingest_lanes.py) loads exactly what one process loads, also when
what it must look back at (earlier debits, starts, contents already in the ledger) sits in the warehouse already; and a
failing lane leaves the warehouse as it was."""

from __future__ import annotations

import os
import shutil
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pytest

from orchestration.ijw.pseudonym import Pseudonymiser
from orchestration.settings import Settings
from orchestration.warehouse.ijw_messages import IJW_INGESTS
from orchestration.warehouse.ingest_lanes import (
    INGESTED_TABLES,
    LanePart,
    LaneSettings,
    ingest_in_lanes,
    lane_parts,
    plan_lanes,
)
from orchestration.warehouse.schema import ensure_schema
from tests.conftest import copy_sample_ijw
from tests.ijw_landing import claimed_files, claimed_paths, take_inventory
from tests.test_hostile_input import IJW_CASES
from tests.test_ijw_door import DOOR_CASES

KEY = b"lanes-test-key-0123456789"
# Rows are compared without the moment they were written.
_UNTIMED = {"audit.quarantine": "quarantined_at"}


def _kinds(plan: list[list[list[LanePart]]]) -> list[list[tuple[str, ...]]]:
    return [[tuple(part.message_type for part in lane) for lane in phase] for phase in plan]


def test_a_type_loads_in_the_phase_after_what_it_is_judged_against_split_by_sender_where_its_rules_allow():
    landed = [
        ("JW323", 50),  # declarations, starts and stops: a part per sender
        ("JW323", 30),
        ("JW323", 20),
        ("JW301", 60),
        ("JW305", 30),
        ("JW305", 20),
        ("JW307", 25),
        ("JW307", 15),
        ("JW315", 30),
    ]
    parts = [LanePart(kind, [f"{kind}-{number}.xml"], size) for number, (kind, size) in enumerate(landed)]
    # Phase 1, heaviest first onto the lighter lane: 301 (60) and 323 (50) open the lanes, 323 (30) and 315 (30) join
    # the lighter in turn, then 323 (20); a lane's declarations are one part. Starts once every allocation is loaded,
    # stops once every start is: each split over both lanes.
    plan = plan_lanes(parts, 2)
    assert _kinds(plan) == [
        [("JW315", "JW301"), ("JW323",)],
        [("JW305",), ("JW305",)],
        [("JW307",), ("JW307",)],
    ]
    assert plan[0][1] == [LanePart("JW323", ["JW323-0.xml", "JW323-1.xml", "JW323-2.xml"], 100)]
    assert _kinds(plan_lanes(parts, 8)) == [
        [("JW301",), ("JW323",), ("JW323",), ("JW315",), ("JW323",)],
        [("JW305",), ("JW305",)],
        [("JW307",), ("JW307",)],
    ]
    # One lane: every type in load order, each one part.
    assert plan_lanes(parts, 1) == [
        [
            [
                LanePart("JW315", ["JW315-8.xml"], 30),
                LanePart("JW301", ["JW301-3.xml"], 60),
                LanePart("JW305", ["JW305-4.xml", "JW305-5.xml"], 50),
                LanePart("JW307", ["JW307-6.xml", "JW307-7.xml"], 40),
                LanePart("JW323", ["JW323-0.xml", "JW323-1.xml", "JW323-2.xml"], 100),
            ]
        ]
    ]
    # No phase of two lanes: lanes would only add their start, so one lane, in load order.
    assert _kinds(plan_lanes([LanePart("JW307", [], 5), LanePart("JW323", [], 1)], 2)) == [[("JW307", "JW323")]]
    assert plan_lanes([], 2) == []


def test_many_small_files_weigh_more_than_their_bytes():
    parts = [
        LanePart("JW323", [f"d{number}.xml" for number in range(2)], 300_000),
        LanePart("JW301", [f"a{number}.xml" for number in range(1_000)], 100_000),
        LanePart("JW315", ["r.xml"], 150_000),
    ]
    # By bytes alone JW323 would open a lane and the other two share the second; 1,000 files of fixed cost make JW301
    # the heaviest, so JW323 and JW315 share a lane.
    assert _kinds(plan_lanes(parts, 2)) == [[("JW301",), ("JW315", "JW323")]]


def test_a_lanes_parts_of_one_type_keep_each_senders_files_together_in_path_order():
    megabyte = 1_000_000
    # Senders A, B, C and the files whose sender could not be read.
    senders = [
        LanePart("JW323", ["x/a/2.xml", "x/c/1.xml"], 50 * megabyte),
        LanePart("JW323", ["x/a/1.xml"], 40 * megabyte),
        LanePart("JW323", ["x/b/1.xml", "x/b-1.xml"], 30 * megabyte),
        LanePart("JW323", ["x/z.xml"], 5 * megabyte),
    ]
    # A (50) and B (40) open the lanes; C (30) joins B, the lighter, and the unreadable senders (5) then join A.
    assert plan_lanes(senders, 2) == [
        [
            [LanePart("JW323", ["x/a/2.xml", "x/c/1.xml", "x/z.xml"], 55 * megabyte)],
            [LanePart("JW323", ["x/a/1.xml", "x/b/1.xml", "x/b-1.xml"], 70 * megabyte)],
        ]
    ]
    assert plan_lanes(senders, 1) == [
        [
            [
                LanePart(
                    "JW323",
                    ["x/a/1.xml", "x/a/2.xml", "x/b/1.xml", "x/b-1.xml", "x/c/1.xml", "x/z.xml"],
                    125 * megabyte,
                )
            ]
        ]
    ]


def _landing(tmp_path: Path) -> tuple[Path, list[Path]]:
    """The sample, every hostile iJw case, and copies of earlier files under new names; and the files of the first
    delivery (the sample up to 2023), which the warehouse holds before the second."""
    landing = tmp_path / "landing"
    sample = copy_sample_ijw(landing)
    for case in IJW_CASES + DOOR_CASES:
        for name, content in case.files().items():
            path = landing / "ijw" / "zz-hostile" / case.id / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
    first_delivery = [path for path in sample if path.relative_to(landing / "ijw").parts[0] <= "2023"]
    for path in first_delivery[::40]:
        shutil.copy(path, landing / "ijw" / "zz-hostile" / f"copy-of-{path.name}")
    return landing, first_delivery


def _warehouse_after_first_delivery(path: Path, landing: Path, first_delivery: list[Path]) -> None:
    with duckdb.connect(str(path)) as con:
        ensure_schema(con)
        take_inventory(con, landing)
        for ingest in IJW_INGESTS:
            delivered = [file for file in claimed_files(con, ingest, landing) if file in first_delivery]
            ingest.ingest_files(con, delivered, Pseudonymiser(KEY), "first", landing_dir=landing)


def _files_by_type(path: Path, landing: Path) -> dict[str, list[str]]:
    with duckdb.connect(str(path)) as con:
        return claimed_paths(con, list(IJW_INGESTS), landing)


def _parts(path: Path, landing: Path) -> list[LanePart]:
    """The parts the ijw_messages asset loads in two lanes."""
    with duckdb.connect(str(path)) as con:
        return lane_parts(con, list(IJW_INGESTS), landing, 2)


def _tables(path: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(path), read_only=True) as con:
        return {
            table: sorted(
                con.execute(
                    f"select * exclude ({_UNTIMED.get(table, 'ingested_at')}) from {table}"  # noqa: S608
                ).fetchall(),
                key=repr,
            )
            for table in INGESTED_TABLES
        }


def _inventory(path: Path) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute("select file_path, file_sha256 from audit.landed_files order by all").fetchall()


def _connect(path: Path):
    @contextmanager
    def connect():
        with duckdb.connect(str(path)) as con:
            yield con

    return connect


def _lanes(path: Path, run_id: str, landing: Path, stage_dir: Path) -> LaneSettings:
    return LaneSettings(path, KEY, run_id, memory_limit="1GB", landing_dir=landing, stage_dir=stage_dir)


def _read(path: Path, landing: Path, stage_dir: Path) -> None:
    """The read pass over the files the warehouse at path has yet to read, as the ingest step runs it first."""
    claimed = tuple(kind for ingest in IJW_INGESTS for kind in ingest.claimed_types)
    with duckdb.connect(str(path)) as con:
        take_inventory(con, landing, stage_dir, claimed, Pseudonymiser(KEY))


@pytest.fixture(scope="module")
def delivered(tmp_path_factory):
    """The landing with both deliveries, and a warehouse holding the first, which each test copies before loading."""
    tmp_path = tmp_path_factory.mktemp("lanes")
    landing, first_delivery = _landing(tmp_path)
    warehouse = tmp_path / "first-delivery.duckdb"
    _warehouse_after_first_delivery(warehouse, landing, first_delivery)
    return landing, warehouse


def test_lanes_load_what_one_process_loads(delivered, tmp_path):
    landing, first_delivery = delivered
    one_process, lanes = tmp_path / "one-process.duckdb", tmp_path / "lanes.duckdb"
    shutil.copy(first_delivery, one_process)
    shutil.copy(first_delivery, lanes)
    files = _files_by_type(one_process, landing)
    with duckdb.connect(str(one_process)) as con:
        for ingest in IJW_INGESTS:
            paths = [Path(path) for path in files[ingest.spec.message_type]]
            ingest.ingest_files(con, paths, Pseudonymiser(KEY), "second", landing_dir=landing)
    before = _tables(lanes)

    lanes_done, progress = [], []
    stage = lanes.parent / "stage"
    _read(lanes, landing, stage)
    parts = _parts(lanes, landing)
    outcomes = ingest_in_lanes(
        parts,
        _lanes(lanes, "second", landing, stage),
        2,
        _connect(lanes),
        on_lane_done=lanes_done.append,
        on_progress=progress.append,
    )

    expected = _tables(one_process)
    assert _tables(lanes) == expected
    # The second delivery mattered: new rows, duplicates of earlier contents, and rules that looked back.
    assert all(len(expected[table]) > len(before[table]) for table in INGESTED_TABLES)
    assert {"TR389", "CD060"} <= {row[4] for row in expected["audit.quarantine"] if row[-1] == "second"}
    assert any(row[9] == "duplicate" and row[-1] == "second" for row in expected["audit.ingest_ledger"])
    with duckdb.connect(str(one_process), read_only=True) as con:
        stops_of_earlier_starts = con.execute(
            """
            select count(*) from raw.ijw_stop_events s
            where s.run_id = 'second' and (s.provider_agb, s.allocation_number, s.product_code) in (
                select (provider_agb, allocation_number, product_code) from raw.ijw_start_events where run_id = 'first')
            """
        ).fetchone()[0]
        # Accepted in lanes only because a lane sees the rows the lanes of earlier phases loaded (load.known_rows).
        starts_of_new_allocations, stops_of_new_starts = con.execute(
            """
            select
                (select count(*) from raw.ijw_start_events
                 where run_id = 'second' and allocation_number in (
                    select allocation_number from raw.ijw_allocations where run_id = 'second'
                    except select allocation_number from raw.ijw_allocations where run_id = 'first')),
                (select count(*) from raw.ijw_stop_events
                 where run_id = 'second' and (provider_agb, allocation_number, product_code) in (
                    select (provider_agb, allocation_number, product_code) from raw.ijw_start_events
                    where run_id = 'second'
                    except select (provider_agb, allocation_number, product_code) from raw.ijw_start_events
                    where run_id = 'first'))
            """
        ).fetchone()
    assert stops_of_earlier_starts > 0
    assert starts_of_new_allocations > 0
    assert stops_of_new_starts > 0
    assert {(outcome.message_type, outcome.metadata["ingest_processes"]) for outcome in outcomes} == {
        (kind, 2) for kind in files
    }
    # Phase after phase: the allocations, the referrals and the declarations (split by provider over both lanes); then
    # the starts, split by provider; then the stops, likewise. A phase's lanes are done before the next one's start.
    done = [sorted({outcome.message_type for outcome in lane}) for lane in lanes_done]
    assert sorted(done[:2]) == [["JW301", "JW323"], ["JW315", "JW323"]]
    assert done[2:] == [["JW305"], ["JW305"], ["JW307"], ["JW307"]]
    # The lanes' counts of files read, last heard when every lane was done: each file of each part once.
    assert progress[-1] == sum(len(part.paths) for part in parts) > 0
    # The merge marked in the inventory what the lanes read, as the one-process ingest marked it, batch by batch.
    assert _inventory(lanes) == _inventory(one_process)
    assert _files_by_type(lanes, landing) == _files_by_type(one_process, landing)
    assert sum(map(len, _files_by_type(lanes, landing).values())) < sum(map(len, files.values()))
    assert not (lanes.parent / "staging").exists()


def test_a_failing_lane_leaves_the_warehouse_as_it_was(delivered, tmp_path):
    landing, first_delivery = delivered
    warehouse, stage = tmp_path / "warehouse.duckdb", tmp_path / "stage"
    shutil.copy(first_delivery, warehouse)
    _read(warehouse, landing, stage)
    before = _tables(warehouse)
    parts = _parts(warehouse, landing)
    # The starts' texts gone from the stage: the lanes loading starts fail, after the first phase's lanes loaded theirs.
    for staged in stage.glob("*.JW305.*"):
        staged.unlink()

    with pytest.raises(RuntimeError, match="not in the read pass's stage"):
        ingest_in_lanes(parts, _lanes(warehouse, "failing", landing, stage), 2, _connect(warehouse))

    assert _tables(warehouse) == before
    assert not (tmp_path / "staging").exists()


def test_the_number_of_ingest_processes_is_a_whole_number_of_at_least_one(monkeypatch):
    monkeypatch.setenv("WAREHOUSE_INGEST_PROCESSES", "3")
    assert Settings.from_env().ingest_processes == 3
    monkeypatch.delenv("WAREHOUSE_INGEST_PROCESSES")
    assert Settings.from_env().ingest_processes == min(os.cpu_count() or 1, 4)
    for wrong in ("0", "two", "-1"):
        monkeypatch.setenv("WAREHOUSE_INGEST_PROCESSES", wrong)
        with pytest.raises(ValueError, match="WAREHOUSE_INGEST_PROCESSES"):
            Settings.from_env()

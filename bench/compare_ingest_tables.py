"""Load the sample and every hostile fixture (iJw of all five types, CBS, budgets) and save or compare every raw and
audit table (issue 24's proof for the one loader): run it on the old checkout with --save, on the new with --against.

Each case loads into a fresh in-memory warehouse under a fixed directory (/tmp/ingest_compare/<case>), so paths and
the ledger keys of unread entries are the same in both checkouts; columns holding the time or the run are left out.
Uses only what the tests use to load (tests/ijw_landing.py, the ingest helpers of the hostile tests), so it runs on a
checkout from before the loaders were one. Not part of `make test`.

With --lanes N, a generated world's iJw files load as the ijw_messages asset loads a large landing (ingest_in_lanes, N
lanes, into a warehouse file under /tmp/ingest_compare): compared against a checkout's one-process load, it shows the
lanes load the same rows.

Usage: cd <checkout> && PYTHONPATH=$PWD .venv/bin/python bench/compare_ingest_tables.py [--landing DIR] \
       [--lanes N] [--save FILE | --against FILE]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb

from orchestration.warehouse.ijw_messages import IJW_INGESTS, UNRECOGNISED_OWNER
from orchestration.warehouse.ingest_lanes import LaneSettings, ingest_in_lanes, lane_parts
from orchestration.warehouse.landing_files import UNREAD_PREFIX
from orchestration.warehouse.load import record_odd_entries
from orchestration.warehouse.schema import ensure_schema
from tests.conftest import copy_sample
from tests.hostile.loading import ingest_cbs_or_budget
from tests.ijw_landing import ingest_landing, take_inventory
from tests.test_hostile_cbs_budgets import DOOR_BEFORE_GATE_CASES, PARSER_EDGE_CASES
from tests.test_hostile_input import BUDGET_CASES, CBS_CASES, IJW_CASES, PSEUDONYM_KEY, PSEUDONYMISER, land
from tests.test_hostile_landing_run import land_hostile

ROOT = Path(tempfile.gettempdir()) / "ingest_compare"
UNSTABLE = {"ingested_at", "quarantined_at", "run_id", "mtime_ns", "read_at", "inventoried_at"}


def _tables(con: duckdb.DuckDBPyConnection) -> dict[str, list[list]]:
    tables = {}
    for schema, table in con.execute(
        "select schema_name, table_name from duckdb_tables() where schema_name in ('raw', 'audit') order by all"
    ).fetchall():
        columns = [
            name
            for (name,) in con.execute(
                "select column_name from duckdb_columns() where schema_name = ? and table_name = ? "
                "order by column_index",
                [schema, table],
            ).fetchall()
            if name not in UNSTABLE
        ]
        if not columns:
            continue
        select = ", ".join(f'"{name}"' for name in columns)
        rows = con.execute(f"select {select} from {schema}.{table}").fetchall()  # noqa: S608 - catalogue names
        tables[f"{schema}.{table}"] = sorted(([_stable(value) for value in row] for row in rows), key=repr)
    return tables


def _stable(value: object) -> str:
    """value's repr; an unread entry's ledger key, which holds its inode and times, as its prefix."""
    if isinstance(value, str) and value.startswith(UNREAD_PREFIX):
        return UNREAD_PREFIX
    return repr(value)


def _load_ijw(con: duckdb.DuckDBPyConnection, landing: Path) -> None:
    for ijw_ingest in IJW_INGESTS:
        ingest_landing(con, ijw_ingest, landing, PSEUDONYMISER, "compare")


def _load_ijw_in_lanes(landing: Path, lanes: int) -> dict[str, list[list]]:
    """landing's iJw files loaded in lanes, as the ijw_messages asset loads a large landing, then the rest in process;
    every raw and audit table."""
    root = ROOT / "lanes"
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    warehouse = root / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        ensure_schema(con)
        claimed = tuple(kind for ingest in IJW_INGESTS for kind in ingest.claimed_types)
        update = take_inventory(con, landing, root / "stage", claimed, PSEUDONYMISER)
        record_odd_entries(con, update.odd_entries, UNRECOGNISED_OWNER.source, "compare")
        parts = lane_parts(con, list(IJW_INGESTS), landing, lanes)
    settings = LaneSettings(warehouse, PSEUDONYM_KEY, "compare", "2GB", landing, root / "stage")
    ingest_in_lanes(parts, settings, lanes, lambda: duckdb.connect(str(warehouse)))
    with duckdb.connect(str(warehouse)) as con:
        _load_other(con, landing)
        return _tables(con)


def _load_other(con: duckdb.DuckDBPyConnection, landing: Path) -> None:
    for path in sorted([*landing.glob("cbs/*.json"), *landing.glob("budgets/*")]):
        try:
            ingest_cbs_or_budget(con, path)
        except StopIteration:
            continue  # a CBS file no dataset claims (the assets do not load it either)


def _cases() -> Iterator[tuple[str, Callable[[Path], None]]]:
    def whole(landing: Path) -> Callable[[duckdb.DuckDBPyConnection], None]:
        return lambda con: (_load_ijw(con, landing), _load_other(con, landing))

    yield "sample", lambda root: (copy_sample(root / "landing"), whole(root / "landing"))
    yield "landing_run", lambda root: (land_hostile(root / "landing", root / "outside"), whole(root / "landing"))
    for case in IJW_CASES:
        yield (
            f"ijw/{case.id}",
            lambda root, case=case: (
                land(root / "landing", case.files()),
                lambda con: _load_ijw(con, root / "landing"),
            ),
        )
    for case in CBS_CASES + BUDGET_CASES:

        def one(root: Path, case=case):
            [path] = land(root / "landing", case.files()).values()
            return None, lambda con: ingest_cbs_or_budget(con, path)

        yield f"cbs_budget/{case.id}", one
    edge = [(f"edge/{case.id}", case.files()) for case in PARSER_EDGE_CASES]
    for name, files in edge + [(f"gate/{case.id}", case.files) for case in DOOR_BEFORE_GATE_CASES]:
        yield (
            name,
            lambda root, files=files: (
                land(root / "landing", files),
                lambda con: _load_other(con, root / "landing"),
            ),
        )


def run(landings: list[Path], lanes: int) -> dict[str, dict[str, list[list]]]:
    results = {}
    for landing in landings:
        # A generated world, loaded where it lies (its paths are the same in both checkouts).
        if lanes > 1:
            results[f"landing:{landing}"] = _load_ijw_in_lanes(landing, lanes)
            continue
        with duckdb.connect(":memory:") as con:
            ensure_schema(con)
            _load_ijw(con, landing)
            _load_other(con, landing)
            results[f"landing:{landing}"] = _tables(con)
    for name, prepare in _cases():
        root = ROOT / name.replace("/", "_")
        shutil.rmtree(root, ignore_errors=True)
        root.mkdir(parents=True)
        _landed, load = prepare(root)
        with duckdb.connect(":memory:") as con:
            ensure_schema(con)
            load(con)
            results[name] = _tables(con)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--save", type=Path)
    parser.add_argument("--against", type=Path)
    parser.add_argument("--landing", type=Path, action="append", default=[], help="a generated world, too")
    parser.add_argument("--lanes", type=int, default=1, help="load the generated worlds' iJw files in this many lanes")
    args = parser.parse_args()
    results = json.loads(json.dumps(run(args.landing, args.lanes)))
    if args.save:
        args.save.write_text(json.dumps(results, indent=0, sort_keys=True))
    rows = sum(len(table) for tables in results.values() for table in tables.values())
    print(f"{len(results)} cases, {rows} rows over the raw and audit tables")
    if not args.against:
        return 0
    saved = json.loads(args.against.read_text())
    differ = 0
    for name in sorted(saved.keys() | results.keys()):
        before, after = saved.get(name, {}), results.get(name, {})
        for table in sorted(before.keys() | after.keys()):
            if before.get(table) != after.get(table):
                differ += 1
                old, new = before.get(table, []), after.get(table, [])
                print(f"DIFFERS {name} {table}: {len(old)} rows before, {len(new)} after")
                for row in [row for row in old if row not in new][:3]:
                    print(f"  - {row}")
                for row in [row for row in new if row not in old][:3]:
                    print(f"  + {row}")
    print("identical" if not differ and saved else f"{differ} tables differ")
    return 1 if differ or not saved else 0


if __name__ == "__main__":
    sys.exit(main())

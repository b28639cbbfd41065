"""Load the same JW323 files two ways and require identical raw lines, ledger and quarantine (issue 24's proof).

The way: `product`, the declaration ingest as the asset runs it (orchestration/warehouse/ijw_messages.DECLARATIONS);
checkouts up to commit a43c0e0 also have `reference`, the same ingest with the reference reader on every file (since
then the batch query decides every line). A run's tables can be saved (--save) and a later
checkout's compared with them (--against), so the old path is compared with the new after it is gone. Not part of
`make test`: the national corpus takes minutes.

Corpora (--corpus, repeatable): `sample` (the shipped sample's JW323 files), `cases` (every file of the hostile iJw
cases of tests/test_hostile_input.py, read as declarations: a file of another type is rejected the same way both ways),
`unusual` (the unusual documents of tests/test_declaration_batch.py), `mutated` (150 randomly mutated sample files, as
that test makes them), `hostile` (cases, unusual and mutated), and `landing:DIR` (every JW323_*.xml under DIR/ijw, e.g.
a world from `python -m orchestration.generator --faults 0.01`). Saved tables are JSON: paths relative to the corpus,
dates in ISO form, the dates the hostile cases take from the day they run (and the sha256 of their files) as names
(test_declaration_batch.normalised), so tests/test_declaration_batch.py compares with them on any day.

Usage: uv run python bench/compare_ingest_paths.py --corpus sample --corpus hostile --corpus landing:/tmp/national \
       [--save FILE | --against FILE]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

import duckdb

from orchestration.ijw.xsd import message_schema
from orchestration.warehouse.ijw_messages import DECLARATIONS
from orchestration.warehouse.schema import ensure_schema
from tests.conftest import copy_sample_ijw
from tests.test_declaration_batch import (
    COMPARED,
    PSEUDONYMISER,
    hostile_contents,
    normalised,
    recorded,
    written_files,
)

WAYS = {"product": DECLARATIONS}
# Small corpora load in small batches too, so a batch boundary falls between a debit and its credit.
SMALL_BATCHES = (5000, 7)


def _sample(root: Path) -> list[Path]:
    return [path for path in copy_sample_ijw(root) if path.name.startswith("JW323_")]


def _hostile(root: Path, kinds: tuple[str, ...]) -> list[Path]:
    return written_files(root, hostile_contents(kinds, _sample(root / "sample")))


HOSTILE = {"cases": ("cases",), "unusual": ("unusual",), "mutated": ("mutated",)}
HOSTILE["hostile"] = ("cases", "unusual", "mutated")


def _corpus(spec: str, root: Path) -> tuple[list[Path], Path, tuple[int, ...]]:
    """The corpus's files, its landing directory and the batch sizes it loads in."""
    if spec == "sample":
        return _sample(root / "sample"), root / "sample", SMALL_BATCHES
    if spec in HOSTILE:
        return _hostile(root / spec, HOSTILE[spec]), root / spec, SMALL_BATCHES
    if spec.startswith("landing:"):
        landing = Path(spec.removeprefix("landing:"))
        return sorted((landing / "ijw").rglob("JW323_*.xml")), landing, (5000,)
    raise SystemExit(f"unknown corpus {spec!r}")


def _load(ingest, files: list[Path], landing: Path, batch_files: int, schema=None) -> dict[str, list[tuple]]:
    with duckdb.connect(":memory:") as con:
        ensure_schema(con)
        ingest.ingest_files(con, files, PSEUDONYMISER, "compare", schema, batch_files=batch_files, landing_dir=landing)
        return {table: sorted(con.execute(query).fetchall(), key=repr) for table, query in COMPARED.items()}


def _differences(left: dict[str, list], right: dict[str, list], tables=tuple(COMPARED)) -> dict[str, dict]:
    found = {}
    for table in tables:
        first, second = [tuple(row) for row in left[table]], [tuple(row) for row in right[table]]
        only_first = sorted(set(first) - set(second), key=repr)
        only_second = sorted(set(second) - set(first), key=repr)
        if only_first or only_second or len(first) != len(second):
            found[table] = {
                "rows": [len(first), len(second)],
                "only_first": [repr(row) for row in only_first[:3]],
                "only_second": [repr(row) for row in only_second[:3]],
            }
    return found


def _saved_differences(tables: dict[str, list], saved: dict[str, list | dict]) -> dict[str, dict]:
    """Differences from a saved run, whose large tables are kept as digests (tests/test_declaration_batch.recorded)."""
    found = {}
    for table, now in recorded(tables).items():
        if isinstance(now, list) and isinstance(saved[table], list):
            found |= _differences({table: now}, {table: saved[table]}, (table,))
        elif now != saved[table]:
            found[table] = {"now": now, "saved": saved[table]}
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", action="append", required=True)
    parser.add_argument("--ways", default="product", help="comma list of ways to load and compare")
    parser.add_argument("--save", type=Path, help="write the first way's tables here")
    parser.add_argument("--against", type=Path, help="compare the first way's tables with a saved run")
    parser.add_argument("--xsd-dir", type=Path, help="the official XSDs: every file is validated, as IJW_XSD_DIR does")
    args = parser.parse_args()
    schema = message_schema(args.xsd_dir, "JW323") if args.xsd_dir else None
    ways = args.ways.split(",")
    saved = json.loads(args.against.read_text()) if args.against else {}
    tables, report, identical = {}, [], True
    root = Path(tempfile.mkdtemp(prefix="compare-ingest-"))
    try:
        for spec in args.corpus:
            files, landing, batch_sizes = _corpus(spec, root)
            for batch_files in batch_sizes:
                key = f"{spec} batch_files={batch_files}" + (" xsd" if schema else "")
                loaded = {way: _load(WAYS[way], files, landing, batch_files, schema) for way in ways}
                first = loaded[ways[0]]
                # Paths differ between checkouts' temporary directories: compare them relative to the corpus root.
                tables[key] = normalised(first, landing, files)
                differences = {way: _differences(first, loaded[way]) for way in ways[1:]}
                if key in saved:
                    differences["saved"] = _saved_differences(tables[key], saved[key])
                # A corpus compared with nothing proves nothing.
                identical &= bool(differences) and not any(differences.values())
                report.append(
                    {
                        "corpus": key,
                        "files": len(files),
                        "rows": {table: len(rows) for table, rows in first.items()},
                        "compared": [*ways[1:], *(["saved"] if key in saved else [])],
                        "differences": differences,
                    }
                )
                print(json.dumps(report[-1]), flush=True)
    finally:
        shutil.rmtree(root)
    if args.save:
        # Saved as the test's record keeps them (recorded); compared in full within one run.
        args.save.write_text(json.dumps({key: recorded(rows) for key, rows in tables.items()}, indent=0) + "\n")
    print("IDENTICAL" if identical else "DIFFERENT")
    sys.exit(0 if identical else 1)


if __name__ == "__main__":
    main()

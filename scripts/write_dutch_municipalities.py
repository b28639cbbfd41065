"""Rebuild seeds/reference/dutch_municipalities.csv (every Dutch municipality with its jeugdzorgregio) from a CBS
"Gebieden in Nederland" table, so the warehouse knows every municipality a message can name even without a CBS
landing.

Usage: uv run python scripts/write_dutch_municipalities.py [GEBIEDEN_FILE]

GEBIEDEN_FILE is either an OData v3 snapshot of the table as the CBS ingest reads it (85755NED for 2024, 86059NED for
2025: codes, names, the table's latest year), or, by default, the 2016 edition in ../shared/reference/cbs (83287NED:
one column per classification, codes only). Rerun it on the newest edition after a municipal merger.
"""

import csv
import io
import json
import sys
from pathlib import Path

from orchestration.cbs.datasets import REGIONS, read_dataset_file

REPO_ROOT = Path(__file__).resolve().parents[1]
SEED = REPO_ROOT / "seeds" / "reference" / "dutch_municipalities.csv"
REFERENCE_GEBIEDEN_2016 = REPO_ROOT.parent / "shared" / "reference" / "cbs" / "83287NED-gebieden-in-nederland-2016.json"
COLUMNS = ["municipality_code", "municipality_name", "region_code", "region_name", "gebieden_table", "gebieden_year"]
# The 2016 edition as ../shared/reference holds it: parallel lists, 'reg' the municipality, one list per classification.
_COLUMN_TABLE_KEYS = ("reg", "Jeugdzorgregios")


def _rows_from_column_table(table: dict) -> list[dict[str, str]]:
    municipalities, regions = (table[key] for key in _COLUMN_TABLE_KEYS)
    return [
        {
            "municipality_code": code,
            "municipality_name": "",
            "region_code": region,
            "region_name": "",
            "gebieden_table": "83287NED",
            "gebieden_year": "2016",
        }
        for code, region in zip(municipalities, regions, strict=True)
    ]


def _rows_from_snapshot(path: Path) -> list[dict[str, str]]:
    parsed = read_dataset_file(path, REGIONS)
    problems = [parsed.file_rejection] if parsed.file_rejection else parsed.rejections
    if problems:
        raise ValueError(f"{path}: {problems[0].reason_code}: {problems[0].reason}")
    latest = max(row["year"] for row in parsed.records)
    return [
        {
            "municipality_code": row["municipality_code"],
            "municipality_name": row["municipality_name"],
            "region_code": row["region_code"],
            "region_name": row["region_name"] or "",
            "gebieden_table": parsed.message_type.removeprefix("CBS:"),
            "gebieden_year": str(latest),
        }
        for row in parsed.records
        if row["year"] == latest
    ]


def municipality_rows(gebieden: Path) -> list[dict[str, str]]:
    """One row per municipality of the table's latest year, sorted by code; a municipality named twice is an error."""
    content = json.loads(gebieden.read_text(encoding="utf-8"))
    is_column_table = isinstance(content, dict) and all(key in content for key in _COLUMN_TABLE_KEYS)
    rows = _rows_from_column_table(content) if is_column_table else _rows_from_snapshot(gebieden)
    codes = [row["municipality_code"] for row in rows]
    if len(set(codes)) != len(codes):
        raise ValueError(f"{gebieden}: a municipality is named twice")
    return sorted(rows, key=lambda row: row["municipality_code"])


def render(rows: list[dict[str, str]]) -> str:
    handle = io.StringIO()
    writer = csv.DictWriter(handle, COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return handle.getvalue()


def main(gebieden: Path) -> None:
    rows = municipality_rows(gebieden)
    SEED.write_text(render(rows), encoding="utf-8")
    print(f"wrote {len(rows)} municipalities from {gebieden} to {SEED}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else REFERENCE_GEBIEDEN_2016)

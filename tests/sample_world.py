"""The shipped sample (seeds/sample) and its fault manifest, read independently of the pipeline."""

import csv
import json
from pathlib import Path

from tests.conftest import REPO_ROOT

SAMPLE_DIR = REPO_ROOT / "seeds" / "sample"


def fault_manifest() -> tuple[set[str], set[tuple[str, str]]]:
    """(files with a file-level fault, (file, reference number) of lines with a line-level fault), relative paths."""
    manifest = json.loads((SAMPLE_DIR / "faults.json").read_text())
    return {f["path"] for f in manifest["files"]}, {(f["path"], f["reference_number"]) for f in manifest["lines"]}


def sample_files(message_type: str = "JW323") -> list[Path]:
    return sorted((SAMPLE_DIR / "ijw").rglob(f"{message_type}_*.xml"))


def relative(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()


def seed_regions() -> dict[str, str]:
    """Municipality -> youth-care region, as seeds/reference/municipalities.csv gives them."""
    with (REPO_ROOT / "seeds" / "reference" / "municipalities.csv").open(encoding="utf-8") as handle:
        return {row["municipality_code"]: row["region_code"] for row in csv.DictReader(handle)}


def sample_truth() -> dict:
    return json.loads((SAMPLE_DIR / "ground_truth.json").read_text())


def sample_regions() -> set[str]:
    """The regions of the municipalities the sample was generated for (its ground truth's parameters)."""
    return {seed_regions()[code] for code in sample_truth()["parameters"]["municipalities"]}

"""The shipped sample (seeds/sample) and its fault manifest, read independently of the pipeline."""

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

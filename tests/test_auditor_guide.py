"""docs/auditor-guide.md runs as written (issue 23): every fenced bash block runs in a shell and every SQL block in a
read-only DuckDB connection, against the shipped sample's warehouse (the session fixture sample_run).

The bash blocks run outside the repository (so a `--csv` file lands in a temporary folder) with what a reader's shell
has after `make run`: uv on PATH, UV_PROJECT naming this project and WAREHOUSE_DIR the sample's warehouse folder. A
trace printed by a block must show its traced totals equal to the published numerator and denominator. The guide walks
through a cost, a count and a share KPI.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
GUIDE = REPO_ROOT / "docs" / "auditor-guide.md"
CATALOGUE = REPO_ROOT / "seeds" / "reference" / "kpi_catalogue.csv"
BLOCK = re.compile(r"^```(\w+)\n(.*?)^```", re.MULTILINE | re.DOTALL)
TRACED_PART = re.compile(r"^  (numerator|denominator) +(\S+)  traced: (\S+) = ", re.MULTILINE)


def blocks(language: str) -> list[str]:
    return [body for found, body in BLOCK.findall(GUIDE.read_text(encoding="utf-8")) if found == language]


@pytest.fixture(scope="module")
def shell_env(sample_run, tmp_path_factory) -> dict[str, str]:
    bin_dir = tmp_path_factory.mktemp("bin")
    if shutil.which("uv") is None:
        # `make` installs uv as a module where no uv command exists (Makefile, UV); the reader's `uv` is that.
        shim = bin_dir / "uv"
        shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m uv "$@"\n')
        shim.chmod(0o755)
    return {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "UV_PROJECT": str(REPO_ROOT),
        "UV_FROZEN": "1",
        "WAREHOUSE_DIR": str(sample_run["warehouse"]),
    }


def test_the_guide_walks_through_a_cost_a_count_and_a_share_kpi():
    with CATALOGUE.open(encoding="utf-8") as handle:
        kinds = {row["kpi_id"]: (row["numerator_kind"], row["denominator_kind"]) for row in csv.DictReader(handle)}
    traced = [re.search(r"orchestration\.trace (\w+)", block) for block in blocks("bash")]
    traced_kinds = [kinds[match.group(1)] for match in traced if match]
    assert ("EUR", "none") in traced_kinds
    assert ("count", "none") in traced_kinds
    assert ("count", "count") in traced_kinds


def block_id(block: str) -> str:
    return (re.search(r"orchestration\.trace (\w+)", block) or re.search(r"from (\S+)", block)).group(1)


@pytest.mark.parametrize("block", blocks("bash"), ids=block_id)
def test_bash_block_runs_as_written(block, shell_env, tmp_path):
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", block],
        cwd=tmp_path,
        env=shell_env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip()
    if "orchestration.trace" in block:
        parts = TRACED_PART.findall(result.stdout)
        assert parts, result.stdout[:2000]
        assert all(published == traced for _role, published, traced in parts), parts
    for written in re.findall(r"--csv (\S+)", block):
        assert (tmp_path / written).stat().st_size > 0


@pytest.mark.parametrize("query", blocks("sql"), ids=lambda query: " ".join(query.split()[:6])[:50])
def test_sql_block_runs_as_written(query, sample_run):
    with duckdb.connect(str(sample_run["db"]), read_only=True) as con:
        rows = con.sql(query).fetchall()
    assert rows

"""Which tests run the pipeline: a Dagster materialisation or job, dbt, or `dg launch`, directly or through a helper
or fixture of the test modules. conftest.py marks those `pipeline`, so `make test-fast` (-m 'not pipeline') runs the
rest without anyone having to remember a marker.

Read from the test modules' source: a function or fixture is a pipeline one when it calls one of ENTRY_POINTS or
names another pipeline function or fixture (names are matched across the test modules, so a shared name errs on the
side of the slow tier).
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

TESTS_DIR = Path(__file__).resolve().parent
# Dagster (dg.materialize, a job's execute_in_process), dbt (dagster-dbt's DbtCliResource.cli, dbtRunner().invoke)
# and the `dg launch` command line.
# `dg dev` (tests/dagster_ui.py) loads the definitions and runs the daemon.
ENTRY_POINTS = {"materialize", "execute_in_process", "cli", "dbtRunner", "launch", "dev"}


def _names(function: ast.AST) -> set[str]:
    """Every name a function reads, calls, takes as a fixture parameter or spells as a string constant."""
    names = set()
    for node in ast.walk(function):
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, ast.Attribute):
            names.add(node.attr)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            names.add(node.value)
    return names


@cache
def pipeline_names() -> frozenset[str]:
    """The module-level functions and fixtures of the test modules that run the pipeline."""
    functions: dict[str, set[str]] = {}
    for path in TESTS_DIR.rglob("*.py"):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                functions.setdefault(node.name, set()).update(_names(node))
    pipeline = {name for name, used in functions.items() if used & ENTRY_POINTS}
    while grown := {name for name, used in functions.items() if name not in pipeline and used & pipeline}:
        pipeline |= grown
    return frozenset(pipeline)


def runs_the_pipeline(function: ast.AST | None, fixture_names: list[str]) -> bool:
    names = pipeline_names()
    return bool(set(fixture_names) & names) or (
        function is not None and bool(_names(function) & (names | ENTRY_POINTS))
    )

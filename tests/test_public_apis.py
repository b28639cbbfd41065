"""The product code reaches Dagster, dagster-dbt, dbt and Great Expectations through their public APIs only.

A private module or attribute can change in any release; the dependencies are pinned by compatible ranges, so the
code must not lean on one release's internals (issue 25).
"""

from __future__ import annotations

import ast

from orchestration.settings import REPO_ROOT

LIBRARIES = {"dagster", "dagster_dbt", "dbt", "great_expectations"}


def private_uses(source: str) -> set[str]:
    """Private modules of the libraries imported, private attributes of what was imported from them read, their
    attributes assigned (a monkey-patch) and their classes' private members overridden."""
    tree = ast.parse(source)
    found, imported = set(), set()
    for node in ast.walk(tree):
        modules = []
        if isinstance(node, ast.ImportFrom) and node.module:
            modules = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
            if node.module.split(".")[0] in LIBRARIES:
                imported |= {alias.asname or alias.name for alias in node.names}
        elif isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
            imported |= {alias.asname or alias.name for alias in node.names if alias.name.split(".")[0] in LIBRARIES}
        found |= {
            module
            for module in modules
            if module.split(".")[0] in LIBRARIES and any(_is_private(part) for part in module.split(".")[1:])
        }
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in imported
            and (_is_private(node.attr) or isinstance(node.ctx, ast.Store))
        ):
            found.add(f"{ast.unparse(node)} (line {node.lineno})")
        if isinstance(node, ast.ClassDef) and any(
            isinstance(base, ast.Name) and base.id in imported for base in node.bases
        ):
            found |= {
                f"{node.name}.{member.name}"
                for member in node.body
                if isinstance(member, ast.FunctionDef) and _is_private(member.name)
            }
    return found


def _is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def test_the_checker_finds_private_imports_attributes_and_overrides():
    source = (
        "from dagster._core.instance import DagsterInstance\n"
        "import great_expectations.execution_engine._engine\n"
        "from great_expectations.execution_engine import pandas_execution_engine as engine\n"
        "from dagster_dbt import DbtCliResource\n"
        "engine.HASH_THRESHOLD = 0\n"
        "threshold = engine._threshold\n"
        "row._replace(a=1)\n"
        "etree._Element\n"
        "class Resource(DbtCliResource):\n"
        "    def _cli_version(self):\n"
        "        return self._cached\n"
    )
    assert private_uses(source) == {
        "dagster._core.instance",
        "dagster._core.instance.DagsterInstance",
        "great_expectations.execution_engine._engine",
        "engine.HASH_THRESHOLD (line 5)",
        "engine._threshold (line 6)",
        "Resource._cli_version",
    }


def test_no_module_of_the_product_uses_a_private_api():
    uses = {
        str(path.relative_to(REPO_ROOT)): found
        for path in sorted((REPO_ROOT / "orchestration").rglob("*.py"))
        if (found := private_uses(path.read_text(encoding="utf-8")))
    }
    assert uses == {}

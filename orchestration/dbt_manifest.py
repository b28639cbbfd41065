"""`make manifest`: dbt parses the project again only when a file dbt parses, or the warehouse path in the profile,
changed since the last parse. dbt keeps a parse only for the profile it was made with, so the path is part of what
makes the manifest current; otherwise every `make run` would pay a full parse before its first step."""

import os

from dagster_dbt import DbtProject

from orchestration.defs.dbt.project import manifest_is_current, warehouse_dbt_project

PARSED_FOR_FILE = "parsed_for_warehouse.txt"


def prepare_manifest(project: DbtProject, warehouse_path: str) -> bool:
    """Parse the dbt project unless its manifest is current for warehouse_path; returns whether it parsed."""
    parsed_for = project.manifest_path.parent / PARSED_FOR_FILE
    current = manifest_is_current(project) and parsed_for.exists()
    if current and parsed_for.read_text(encoding="utf-8") == warehouse_path:
        return False
    parsed_for.unlink(missing_ok=True)
    project.preparer.prepare(project)
    parsed_for.write_text(warehouse_path, encoding="utf-8")
    return True


if __name__ == "__main__":
    prepare_manifest(warehouse_dbt_project, os.environ["WAREHOUSE_DUCKDB_PATH"])

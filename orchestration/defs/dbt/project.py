import os
from collections.abc import Iterator
from pathlib import Path

import yaml
from dagster_dbt import DbtProject

from orchestration.settings import DBT_PROJECT_DIR

warehouse_dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)

# dbt's own folders for the paths dbt_project.yml leaves out.
_DEFAULT_PATHS = {
    "model-paths": ["models"],
    "seed-paths": ["seeds"],
    "test-paths": ["tests"],
    "analysis-paths": ["analyses"],
    "macro-paths": ["macros"],
    "snapshot-paths": ["snapshots"],
}


def parsed_paths(project: DbtProject) -> Iterator[Path]:
    """What dbt parses: the project's YAML, and every file and folder under its paths (a folder's time changes when a
    file in it is added, renamed or removed)."""
    project_file = project.project_dir / "dbt_project.yml"
    yield project_file
    yield project.profiles_dir / "profiles.yml"
    config = yaml.safe_load(project_file.read_text(encoding="utf-8"))
    configured = {key: folders for key, folders in config.items() if key.endswith("-paths")}
    for folders in {**_DEFAULT_PATHS, **configured}.values():
        for folder in folders:
            for root, _subfolders, files in os.walk(project.project_dir / folder):
                yield Path(root)
                yield from (Path(root) / name for name in files)


def manifest_is_current(project: DbtProject) -> bool:
    """Whether manifest.json is newer than everything dbt parses."""
    if not project.manifest_path.exists():
        return False
    manifest_time = project.manifest_path.stat().st_mtime_ns
    return all(path.stat().st_mtime_ns <= manifest_time for path in parsed_paths(project) if path.exists())


# Every dg command (dg launch too) counts as development, where prepare_if_dev runs `dbt parse`: about 13 s each time
# the definitions load, twice per `dg launch` (the command, then the run). make builds the manifest before any dg
# command, so it is parsed again only when a dbt file changed since (a model edited while `make ui` runs, say).
if not manifest_is_current(warehouse_dbt_project):
    warehouse_dbt_project.prepare_if_dev()

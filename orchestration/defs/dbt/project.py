from dagster_dbt import DbtProject

from orchestration.settings import DBT_PROJECT_DIR

warehouse_dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
warehouse_dbt_project.prepare_if_dev()

"""Dagster's run, event and schedule storage on PostgreSQL (dagster-postgres, docs/operations.md): the project's
dagster.yaml with the storage block docs/operations.md gives, pointed at the session's throw-away cluster, runs a
job whose run, events and a sensor cursor land in PostgreSQL tables."""

import dagster as dg
import psycopg
import yaml

from orchestration.settings import REPO_ROOT


@dg.op
def count_deliveries() -> int:
    return 3


@dg.job
def small_job():
    count_deliveries()


def test_run_event_and_schedule_storage_in_postgresql(postgres_cluster, tmp_path, monkeypatch):
    postgres_cluster.create_database("dagster")
    home = tmp_path / "dagster_home"
    home.mkdir()
    instance_yaml = yaml.safe_load((REPO_ROOT / "dagster.yaml").read_text())
    # The block docs/operations.md gives, over the cluster's socket (it trusts the local superuser, so no password).
    storage = {
        "username": "loader",
        "hostname": "",
        "db_name": "dagster",
        "port": postgres_cluster.port,
        "params": {"host": str(postgres_cluster.socket_dir)},
        "scheme": "postgresql+psycopg2",
    }
    instance_yaml["storage"] = {"postgres": {"postgres_db": storage}}
    (home / "dagster.yaml").write_text(yaml.safe_dump(instance_yaml))
    monkeypatch.setenv("DAGSTER_HOME", str(home))

    with dg.DagsterInstance.get() as instance:
        result = small_job.execute_in_process(instance=instance)
        assert result.success

    with psycopg.connect(postgres_cluster.conninfo(dbname="dagster")) as connection:
        runs = connection.execute("select run_id, pipeline_name, status from runs").fetchall()
        events = connection.execute(
            "select dagster_event_type from event_logs where run_id = %s", [result.run_id]
        ).fetchall()
        tables = {
            name
            for (name,) in connection.execute(
                "select table_name from information_schema.tables where table_schema = 'public'"
            )
        }
    assert runs == [(result.run_id, "small_job", "SUCCESS")]
    assert {"STEP_START", "STEP_OUTPUT", "STEP_SUCCESS"} <= {event for (event,) in events}
    assert {"jobs", "job_ticks", "instigators"} <= tables, "the schedule and sensor storage"
    assert not any(home.glob("**/*.db")), "nothing stored in SQLite under DAGSTER_HOME"

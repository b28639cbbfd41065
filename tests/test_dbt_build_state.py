"""A refresh with nothing new for dbt builds no model (issue 22 item 3; orchestration/defs/dbt/build_state.py).

The pipeline tests read the shared sample's runs (the first builds; the second, tagged to rebuild, builds though its
rows only changed order) and run once more on a copy of its warehouse, on the same Dagster instance (the skip asks it
whether the run that built the marts succeeded): a run with nothing new runs no dbt and leaves the marts, the
publication and the reports as they were; under another dbt var the build is not done.
The unit tests show what moves the fingerprint and that only a whole, succeeded build counts as done.
"""

from __future__ import annotations

import contextlib
import io
import shutil
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from dagster_dbt import DbtProject

from orchestration.defs.dbt import build_state
from orchestration.defs.dbt.project import warehouse_dbt_project
from orchestration.summary import print_summary

MARTS = dg.AssetKey(["marts", "kpi_values"])
PUBLISHED = dg.AssetKey(["published", "marts"])
REPORT = dg.AssetKey(["report", "quarterly_report"])


def materialized(result: dg.ExecuteInProcessResult) -> set[dg.AssetKey]:
    return {event.asset_key for event in result.get_asset_materialization_events()}


def marts_snapshot(db: Path) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("select * from marts.kpi_values order by all").fetchall()


@pytest.fixture(scope="module")
def two_runs(sample_run, definitions, tmp_path_factory):
    """The shared sample's second run, a build, and a re-run with nothing new on a copy of its warehouse and on the
    same Dagster instance (the skip asks it whether the building run succeeded); then the skip's decision under
    another threshold."""
    warehouse = tmp_path_factory.mktemp("build_state") / "warehouse"
    shutil.copytree(sample_run["warehouse"], warehouse, ignore=shutil.ignore_patterns("dagster_home"))
    db = warehouse / "warehouse.duckdb"
    job = definitions.resolve_job_def("refresh_job")
    instance = sample_run["instance"]
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("WAREHOUSE_DIR", str(warehouse))
        monkeypatch.setenv("WAREHOUSE_LANDING_DIR", str(sample_run["landing"]))
        monkeypatch.setenv("WAREHOUSE_PSEUDONYM_KEY", "integration-test-key-0123456789")
        monkeypatch.setenv("WAREHOUSE_DUCKDB_PATH", str(db))
        marts_after_build = marts_snapshot(db)
        report_files = {path: path.stat().st_mtime_ns for path in (warehouse / "reports").rglob("*.html")}
        published = warehouse / "published" / "marts.duckdb"
        published_time = published.stat().st_mtime_ns
        rerun = job.execute_in_process(instance=instance, raise_on_error=False)
        runs = {
            "built": sample_run["second"],
            "rerun": rerun,
            "marts_after_build": marts_after_build,
            "marts_after_rerun": marts_snapshot(db),
            "reports_kept": all(path.stat().st_mtime_ns == time for path, time in report_files.items()),
            "published_kept": published.stat().st_mtime_ns == published_time,
            "db": db,
        }
        with duckdb.connect(str(db), read_only=True) as con:
            runs["state_after_rerun"] = con.execute(
                "select run_id, reused_by_run_id from build_state.dbt_steps order by step"
            ).fetchall()
        runs["summary_after_rerun"] = summary()
        # What the dbt steps decide under another threshold, without another full build (the pipeline's slowest part).
        with duckdb.connect(str(db)) as con:
            runs["done_as_run_fingerprint"] = build_state.fingerprint(con, {})
            runs["done_as_run"] = build_state.done_build(con, instance, runs["done_as_run_fingerprint"])
            changed = build_state.fingerprint(con, {"suppression_threshold": 11})
            runs["done_with_another_var"] = build_state.done_build(con, instance, changed)
    return runs


def summary() -> str:
    """What `make run` prints after the run."""
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        print_summary()
    return printed.getvalue()


def test_the_first_run_and_a_run_tagged_rebuild_build_and_publish(sample_run, two_runs):
    # The sample's second run found nothing new for dbt (its rows stored again in another order hash the same); the
    # rebuild tag made it build.
    for run in (sample_run["first"], two_runs["built"]):
        assert run.success
        assert {MARTS, PUBLISHED, REPORT} <= materialized(run)


def test_the_build_hashes_the_sources_once_and_both_steps_store_that_fingerprint(sample_run, two_runs):
    assert sample_run["sources_hashed_by_second"] == 1
    with duckdb.connect(str(two_runs["db"]), read_only=True) as con:
        stored = con.execute("select distinct fingerprint, run_id from build_state.dbt_steps").fetchall()
    assert stored == [(two_runs["done_as_run_fingerprint"], two_runs["built"].run_id)]


def test_a_step_takes_the_fingerprint_its_own_run_stored_and_no_other(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    assert build_state.run_fingerprint(con, "run-1") is None
    build_state.remember(con, "star_schema", "f", "run-1", "c")
    assert build_state.run_fingerprint(con, "run-1") == "f"
    assert build_state.run_fingerprint(con, "run-2") is None


def test_a_rerun_with_nothing_new_builds_no_model_and_keeps_the_publication(two_runs):
    rerun = two_runs["rerun"]
    assert rerun.success
    assert not any(key.path[0] in {"staging", "marts", "public_marts", "report"} for key in materialized(rerun))
    assert {PUBLISHED, REPORT}.isdisjoint(materialized(rerun))
    assert two_runs["marts_after_rerun"] == two_runs["marts_after_build"]
    assert two_runs["reports_kept"] and two_runs["published_kept"]
    assert f"are those of run {two_runs['built'].run_id}" in two_runs["summary_after_rerun"]
    # star_schema finds nothing new and says so; Dagster then skips kpi_marts, whose upstream yielded nothing.
    assert two_runs["state_after_rerun"] == [
        (two_runs["built"].run_id, None),
        (two_runs["built"].run_id, rerun.run_id),
    ]


def test_a_changed_dbt_var_is_not_the_done_build(two_runs):
    assert two_runs["done_as_run"] is not None
    assert two_runs["done_as_run"].run_id == two_runs["built"].run_id
    assert two_runs["done_with_another_var"] is None


def test_a_source_row_changed_moves_the_sources_digest_and_their_order_does_not(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute("create schema raw; create table raw.lines (id integer, cents bigint)")
    tables = [("raw", "lines"), ("close_history", "closes")]
    con.execute("insert into raw.lines values (1, 100), (2, 200)")
    before = build_state.sources_digest(con, tables)
    con.execute("delete from raw.lines; insert into raw.lines values (2, 200), (1, 100)")
    assert build_state.sources_digest(con, tables) == before
    assert before[1] == ["close_history", "closes", "absent"]
    con.execute("update raw.lines set cents = 201 where id = 2")
    assert build_state.sources_digest(con, tables) != before


@pytest.fixture
def project_copy(tmp_path, monkeypatch) -> Path:
    """The dbt project and its seed folders copied, and build_state pointed at the copy."""
    root = warehouse_dbt_project.project_dir.parent
    shutil.copytree(
        warehouse_dbt_project.project_dir, tmp_path / "dbt_project", ignore=shutil.ignore_patterns("target")
    )
    for seeds in ("reference", "codelists"):
        shutil.copytree(root / "seeds" / seeds, tmp_path / "seeds" / seeds)
    copy = DbtProject(project_dir=tmp_path / "dbt_project", profiles_dir=tmp_path / "dbt_project")
    monkeypatch.setattr(build_state, "warehouse_dbt_project", copy)
    return tmp_path


def test_a_changed_seed_or_model_moves_the_project_digest_and_a_touch_does_not(project_copy):
    before = build_state.project_files_digest()
    seed = next((project_copy / "seeds" / "reference").glob("*.csv"))
    seed.touch()
    assert build_state.project_files_digest() == before
    seed.write_text(seed.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    after_seed = build_state.project_files_digest()
    assert after_seed != before
    model = next((project_copy / "dbt_project" / "models").rglob("*.sql"))
    model.write_text(model.read_text(encoding="utf-8") + "\n-- changed\n", encoding="utf-8")
    assert build_state.project_files_digest() not in {before, after_seed}


def test_another_dbt_var_moves_the_fingerprint(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    assert build_state.fingerprint(con, {}) == build_state.fingerprint(con, {})
    assert build_state.fingerprint(con, {}) != build_state.fingerprint(con, {"suppression_threshold": 11})


@dataclass(frozen=True)
class Run:
    status: dg.DagsterRunStatus


@dataclass(frozen=True)
class Instance:
    """The one question build_state asks Dagster's instance: a run's status by id (None when unknown)."""

    runs: dict[str, Run]

    def get_run_by_id(self, run_id: str) -> Run | None:
        return self.runs.get(run_id)


SUCCEEDED = Instance({"run-1": Run(dg.DagsterRunStatus.SUCCESS), "run-2": Run(dg.DagsterRunStatus.SUCCESS)})


@pytest.mark.parametrize(
    ("stored", "instance", "done"),
    [
        ({"star_schema": ("f", "run-1"), "kpi_marts": ("f", "run-1")}, SUCCEEDED, True),
        ({"star_schema": ("f", "run-1"), "kpi_marts": ("f", "run-1")}, Instance({}), False),
        (
            {"star_schema": ("f", "run-1"), "kpi_marts": ("f", "run-1")},
            Instance({"run-1": Run(dg.DagsterRunStatus.FAILURE)}),
            False,
        ),
        ({"star_schema": ("f", "run-1")}, SUCCEEDED, False),
        ({"star_schema": ("f", "run-2"), "kpi_marts": ("f", "run-1")}, SUCCEEDED, False),
        ({"star_schema": ("g", "run-1"), "kpi_marts": ("g", "run-1")}, SUCCEEDED, False),
    ],
    ids=[
        "both_steps_one_succeeded_run",
        "run_unknown_to_the_instance",
        "run_failed_after_the_build",
        "kpi_step_not_built",
        "steps_built_in_different_runs",
        "built_from_other_inputs",
    ],
)
def test_only_a_whole_succeeded_build_of_the_current_fingerprint_is_done(tmp_path, stored, instance, done):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    build_state.forget(con, "star_schema")
    for step, (fingerprint, run_id) in stored.items():
        build_state.remember(con, step, fingerprint, run_id, "c")
    assert (build_state.done_build(con, instance, "f") is not None) is done


def test_a_step_that_starts_building_is_no_longer_done(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    build_state.forget(con, "star_schema")
    for step in build_state.STEPS:
        build_state.remember(con, step, "f", "run-1", "c")
    assert build_state.done_build(con, SUCCEEDED, "f") is not None
    build_state.forget(con, "kpi_marts")
    assert build_state.done_build(con, SUCCEEDED, "f") is None


def test_a_step_builds_in_full_unless_its_last_whole_build_had_the_same_code(tmp_path, project_copy):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    assert build_state.built_with_code(con, "star_schema") is None
    code = build_state.code_digest()
    build_state.remember(con, "star_schema", "f", "run-1", code)
    assert build_state.built_with_code(con, "star_schema") == code
    model = next((project_copy / "dbt_project" / "models").rglob("*.sql"))
    model.write_text(model.read_text(encoding="utf-8") + "\n-- changed\n", encoding="utf-8")
    assert build_state.code_digest() != code
    build_state.forget(con, "star_schema")
    assert build_state.built_with_code(con, "star_schema") is None


def test_a_warehouse_from_before_the_code_digest_builds_in_full_once(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute("create schema build_state")
    con.execute(
        "create table build_state.dbt_steps (step varchar primary key, fingerprint varchar not null, "
        "run_id varchar not null, built_at timestamptz not null, reused_by_run_id varchar, reused_at timestamptz)"
    )
    con.execute("insert into build_state.dbt_steps values ('star_schema', 'f', 'run-1', now(), null, null)")
    assert build_state.built_with_code(con, "star_schema") is None


def test_the_shared_sample_built_in_full_first_and_incrementally_after(sample_run):
    # The first run had no build on record; the second found the first's whole build with the same code.
    def logged(run: dg.ExecuteInProcessResult) -> str:
        return "\n".join(entry.user_message for entry in sample_run["instance"].all_logs(run.run_id))

    assert all(f"{step}: a full refresh" in logged(sample_run["first"]) for step in build_state.STEPS)
    assert "a full refresh" not in logged(sample_run["second"])

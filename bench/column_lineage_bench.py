"""The star schema step with and without stored column lineage, on a copy of a built warehouse (issue 22; not part of
`make test`; orchestration/defs/dbt/column_lineage.py).

The step runs alone (its assets and their dbt tests), tagged to build though nothing changed, alternating: "stored"
attaches the lineage build_state.column_lineage holds, "computed" drops that table first, so dagster-dbt computes
the lineage again (and the step stores it once more). A first run, not counted, makes the copy's build state this
code's. Printed per run: the step's wall seconds, the seconds from its start to dbt's end and from dbt's end to its
first materialization (the metadata: dagster-dbt waits for dbt's end on DuckDB), with the load average beside them.

Usage: uv run python bench/column_lineage_bench.py WAREHOUSE_DIR [--rounds 2]

WAREHOUSE_DIR is a warehouse a bench kept (bench/incremental_bench.py --keep DIR: DIR/warehouse); it is copied, not
changed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
from pathlib import Path

import dagster as dg
import duckdb
from check_step_times import step_seconds

from orchestration.defs.dbt.build_state import REBUILD_TAG

STEP = "star_schema"
FACTS = dg.AssetKey(["marts", "fct_declaration_line"])


def phases(instance: dg.DagsterInstance, run_id: str) -> dict[str, float]:
    """Seconds from the step's start to dagster-dbt's "Finished dbt command" (fingerprint, lineage key, dbt's build),
    and from there to the step's first materialization (the metadata, held until dbt is done)."""
    (start,) = instance.all_logs(run_id, of_type=dg.DagsterEventType.STEP_START)
    materialized = instance.all_logs(run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION)
    (finished,) = [entry for entry in instance.all_logs(run_id) if "Finished dbt command" in entry.user_message]
    return {
        "to_dbt_finished": round(finished.timestamp - start.timestamp, 1),
        "dbt_finished_to_first_materialization": round(
            min(record.timestamp for record in materialized) - finished.timestamp, 1
        ),
    }


def run_step(definitions: dg.Definitions, instance: dg.DagsterInstance, db: Path, stored: bool) -> dict[str, float]:
    if not stored:
        with duckdb.connect(str(db)) as con:
            con.execute("drop table if exists build_state.column_lineage")
    # The resolved step carries its resources (dbt, warehouse) bound.
    result = dg.materialize([definitions.resolve_assets_def(FACTS)], instance=instance, tags={REBUILD_TAG: "true"})
    assert result.success
    logged = "\n".join(entry.user_message for entry in instance.all_logs(result.run_id))
    assert ("taken from the whole build" in logged) is stored
    return {
        "lineage": "stored" if stored else "computed",
        "step_seconds": round(step_seconds(instance, result.run_id)[STEP], 1),
        **phases(instance, result.run_id),
        "load": os.getloadavg()[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("warehouse", type=Path)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="column_lineage_bench_") as temp:
        warehouse = Path(temp) / "warehouse"
        shutil.copytree(args.warehouse, warehouse, ignore=shutil.ignore_patterns("dagster_home"))
        db = warehouse / "warehouse.duckdb"
        # Before the definitions load: the resources and the translator read the settings from the environment.
        os.environ.update(WAREHOUSE_DIR=str(warehouse), WAREHOUSE_DUCKDB_PATH=str(db))
        from orchestration.definitions import defs

        definitions = defs()
        with dg.instance_for_test() as instance:
            run_step(definitions, instance, db, stored=False)
            for _ in range(args.rounds):
                for stored in (True, False):
                    print(json.dumps(run_step(definitions, instance, db, stored)), flush=True)


if __name__ == "__main__":
    main()

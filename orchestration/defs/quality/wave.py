"""A wave of checks: the checks on tables that become ready together (the raw tables after the ingest, the marts of a
dbt step), run as one Dagster step instead of a step each.

Every step costs about 0.2-1 s whatever it does (its events in the run's SQLite event log, a DuckDB connection, a
GX context, a Data Docs index), which 49 one-check steps paid in every run (docs/benchmarks.md). A wave keeps each
check's key, name, description and result in the UI: one AssetCheckSpec and one result per check, each of its own
severity. Dagster fails a step that yielded a failed blocking result once it has yielded everything, and skips the
steps downstream, so every check of a wave runs and reports though one fails. A check that raises does not stop the
others either; the step fails with its error after them. can_subset lets the UI run one check alone.
"""

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import dagster as dg

from orchestration import warehouse_file
from orchestration.defs.resources import WRITER_POOL, WarehouseResource
from orchestration.quality.table_validation import validations_hosted

Evaluate = Callable[[dg.AssetCheckExecutionContext, WarehouseResource], dg.AssetCheckResult]
"""A check's evaluation: its result, without asset key or check name (the wave sets them from the spec)."""


@dataclass(frozen=True)
class WaveCheck:
    """One check of a wave: what the UI shows of it, and how it is evaluated."""

    spec: dg.AssetCheckSpec
    evaluate: Evaluate


def check_wave(name: str, description: str, checks: Sequence[WaveCheck]) -> dg.AssetChecksDefinition:
    """One step (op `name`) that evaluates the selected checks in order, each result with its seconds."""

    @dg.multi_asset_check(
        name=name,
        description=description,
        specs=[check.spec for check in checks],
        can_subset=True,
        # The remembered checks store their results in the warehouse (build_state.check_results).
        pool=WRITER_POOL,
    )
    def _wave(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource) -> Iterator[dg.AssetCheckResult]:
        crashed: list[tuple[dg.AssetCheckKey, Exception]] = []
        settings = warehouse.settings()
        # The checks open the warehouse several times each; held open, each opening shares the database already open.
        # Their validation workers' host lasts the wave, not the dbt step after it.
        with warehouse_file.held(settings.duckdb_path, settings.duckdb_memory_limit), validations_hosted():
            for check in checks:
                if check.spec.key not in context.selected_asset_check_keys:
                    continue
                started = time.monotonic()
                try:
                    result = check.evaluate(context, warehouse)
                except Exception as error:
                    # Raised again once the wave's other checks reported.
                    context.log.exception(f"{check.spec.key.to_user_string()} raised; the wave's other checks go on")
                    crashed.append((check.spec.key, error))
                    continue
                yield dg.AssetCheckResult(
                    asset_key=check.spec.asset_key,
                    check_name=check.spec.name,
                    passed=result.passed,
                    severity=result.severity,
                    description=result.description,
                    metadata={**result.metadata, "check_seconds": round(time.monotonic() - started, 2)},
                )
        if crashed:
            _, first = crashed[0]
            for key, error in crashed[1:]:
                first.add_note(f"{key.to_user_string()} raised too: {error!r}")
            raise first

    return _wave

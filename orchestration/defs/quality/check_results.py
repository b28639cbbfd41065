"""A remembered or fresh verdict (orchestration/quality/remembered.py) as the check result the run's UI shows, and
the connection the checks store it through."""

from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg
import duckdb

from orchestration import warehouse_file
from orchestration.defs.resources import WarehouseResource
from orchestration.quality.remembered import Connect, Verdict


def state_connection(warehouse: WarehouseResource) -> Connect:
    """remembered.checked's connect: the warehouse without WarehouseResource.connect's schema check, which a check
    that validates would pay on both of its writes; a check writes build_state alone, which remembered.STATE_DDL
    makes."""

    @contextmanager
    def connect(read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        settings = warehouse.settings()
        with warehouse_file.connect(settings.duckdb_path, settings.duckdb_memory_limit, read_only=read_only) as con:
            yield con

    return connect


def check_result(verdict: Verdict) -> dg.AssetCheckResult:
    """Which run validated the inputs, when, and their digest travel with every result, reported again or not."""
    outcome = verdict.outcome
    again = (
        f" (reported again: unchanged since run {verdict.validated_by_run} validated it at {verdict.validated_at})"
        if verdict.reported_again
        else ""
    )
    return dg.AssetCheckResult(
        passed=outcome.passed,
        description=outcome.description + again,
        metadata={
            **outcome.metadata,
            **{name: dg.MetadataValue.url(url) for name, url in outcome.links.items()},
            "reported_again": verdict.reported_again,
            "validated_by_run": dg.MetadataValue.dagster_run(verdict.validated_by_run),
            "validated_at": verdict.validated_at,
            "input_digest": verdict.input_digest,
        },
    )

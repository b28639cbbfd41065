"""A remembered or fresh verdict (orchestration/quality/remembered.py) as the check result the run's UI shows."""

import dagster as dg

from orchestration.quality.remembered import Verdict


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

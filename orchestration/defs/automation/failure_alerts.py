"""The run-failure alert: every failed run of this code location is POSTed to WAREHOUSE_ALERT_WEBHOOK_URL and recorded.

The record is an observation of the asset audit/run_failures in Dagster's own event storage, with the run (linked),
job, failed step and message. Not a warehouse table: DuckDB takes one writer at a time, and the sensor must record a
failure while the next run holds the warehouse; Dagster's storage is where the run history already is (PostgreSQL in
a deployment, docs/operations.md), and the observations list every failure on one asset page in the UI.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import dagster as dg
import requests

from orchestration.defs.owners import DATA_ENGINEERING
from orchestration.settings import alert_webhook_url

RUN_FAILURES = dg.AssetKey(["audit", "run_failures"])
MAX_MESSAGE_CHARS = 2000
WEBHOOK_TIMEOUT_SECONDS = 10

run_failures = dg.AssetSpec(
    RUN_FAILURES,
    group_name="operations",
    owners=[DATA_ENGINEERING],
    kinds={"dagster"},
    description=(
        "Every failed run, observed by the sensor run_failure_alert: run, job, failed step and error message, and "
        "whether the webhook (WAREHOUSE_ALERT_WEBHOOK_URL) took the alert."
    ),
)


@dataclass(frozen=True)
class RunFailure:
    run_id: str
    job: str
    step: str | None
    """The first failed step; None when the run failed outside any step (e.g. a resource would not start)."""
    message: str
    failed_steps: list[str]


def describe_failure(context: dg.RunFailureSensorContext) -> RunFailure:
    steps = [
        (event.step_key, _root_cause(event.step_failure_data.error) or event.message)
        for event in context.get_step_failure_events()
    ]
    step, message = steps[0] if steps else (None, context.failure_event.message)
    return RunFailure(
        run_id=context.dagster_run.run_id,
        job=context.dagster_run.job_name,
        step=step,
        message=(message or "").strip()[:MAX_MESSAGE_CHARS],
        failed_steps=[key for key, _ in steps],
    )


def _root_cause(error) -> str | None:
    """The innermost error's message: Dagster wraps what a step raised in an error naming only the step."""
    if error is None:
        return None
    while error.cause is not None:
        error = error.cause
    return error.message


def notify(url: str, failure: RunFailure) -> str:
    """POST the failure as JSON; what happened, for the record (a webhook that is down must not lose the record)."""
    try:
        response = requests.post(url, json=asdict(failure), timeout=WEBHOOK_TIMEOUT_SECONDS)
        response.raise_for_status()
    except requests.HTTPError as error:
        return f"failed: HTTP {error.response.status_code}"
    except requests.RequestException as error:
        # Not the error's text: it names the URL, which may hold a token.
        return f"failed: {type(error).__name__}"
    return f"sent (HTTP {response.status_code})"


@dg.run_failure_sensor(
    name="run_failure_alert",
    default_status=dg.DefaultSensorStatus.STOPPED,
    description=(
        "Posts every failed run (run id, job, failed step, message) to WAREHOUSE_ALERT_WEBHOOK_URL and records it "
        "as an observation of audit/run_failures."
    ),
)
def run_failure_alert(context: dg.RunFailureSensorContext) -> None:
    failure = describe_failure(context)
    url = alert_webhook_url()
    webhook = notify(url, failure) if url else "not configured (WAREHOUSE_ALERT_WEBHOOK_URL)"
    if not webhook.startswith("sent"):
        context.log.warning(f"Run {failure.run_id} failed; webhook {webhook}")
    context.instance.report_runless_asset_event(
        dg.AssetObservation(
            RUN_FAILURES,
            metadata={
                "run": dg.MetadataValue.dagster_run(failure.run_id),
                "job": failure.job,
                "step": failure.step or "(no step: the run failed outside its steps)",
                "message": dg.MetadataValue.text(failure.message),
                "failed_steps": ", ".join(failure.failed_steps),
                "webhook": webhook,
            },
        )
    )

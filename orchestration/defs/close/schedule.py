"""The quarterly close's job and schedule: WAREHOUSE_CLOSE_LAG_DAYS after each quarter ends (default 42, six weeks:
declarations arrive with a lag and the regions' cycle reports then), the quarter's close for every region.

The schedule ticks daily and launches only on the due day, so the lag is read from the settings at each tick and any
number of days works; the day's runs carry a run key, so a tick retried after a failure launches nothing twice.
"""

import datetime as dt

import dagster as dg

from orchestration.closes.quarters import close_date, quarter_closing_on, quarter_of
from orchestration.defs.close.partitions import close_partition_key, close_partitions
from orchestration.defs.close.quarterly_close import CLOSE_GROUP
from orchestration.settings import Settings

quarterly_close_job = dg.define_asset_job(
    "quarterly_close_job",
    selection=dg.AssetSelection.groups(CLOSE_GROUP),
    partitions_def=close_partitions,
    description="The quarterly close of the chosen quarter x region partitions (orchestration/defs/close).",
)


@dg.schedule(
    job=quarterly_close_job,
    cron_schedule="0 6 * * *",
    execution_timezone="Europe/Amsterdam",
    description=(
        "WAREHOUSE_CLOSE_LAG_DAYS (default 42) days after each quarter ends: that quarter's close for every region."
    ),
)
def quarterly_close_schedule(context: dg.ScheduleEvaluationContext):
    lag_days = Settings.from_env().close_lag_days
    day = context.scheduled_execution_time.date()
    quarter = quarter_closing_on(day, lag_days)
    if quarter is None:
        upcoming = quarter_of(day - dt.timedelta(days=lag_days))
        return dg.SkipReason(f"no close due today; {upcoming} closes on {close_date(upcoming, lag_days)}")
    quarters = close_partitions.get_partitions_def_for_dimension("quarter").get_partition_keys()
    if quarter not in quarters:
        return dg.SkipReason(
            f"{quarter} is due but this code location, loaded before it began, has no partition for it: reload it"
        )
    regions = close_partitions.get_partitions_def_for_dimension("region").get_partition_keys()
    return [
        dg.RunRequest(run_key=f"{quarter}|{region_code}", partition_key=close_partition_key(quarter, region_code))
        for region_code in regions
    ]

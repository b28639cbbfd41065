"""refresh_job: every asset except the quarterly close, which is partitioned and built by its own job and schedule."""

import dagster as dg

QUARTERLY_CLOSE_GROUP = "quarterly_close"

# A group that does not exist selects nothing, so this selection holds with or without the close defined.
refresh_job = dg.define_asset_job(
    "refresh_job",
    selection=dg.AssetSelection.all() - dg.AssetSelection.groups(QUARTERLY_CLOSE_GROUP),
    description=(
        "The ingest of the landing directory and everything downstream, except the quarterly close; started by the "
        "landing sensor when deliveries arrive or change."
    ),
)

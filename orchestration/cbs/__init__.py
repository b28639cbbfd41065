"""CBS StatLine open data (OData v3): client, snapshot files and readers per dataset. No Dagster imports."""

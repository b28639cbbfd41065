"""Great Expectations 1.x validation of warehouse tables (no Dagster imports)."""

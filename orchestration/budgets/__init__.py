"""Municipal budgets: the region's own budget CSV per municipality, year and perceel. No Dagster imports."""

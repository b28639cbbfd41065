"""Plain-Python readers and writers for iJw 3.2 messages (no Dagster imports)."""

"""Plain-Python readers for iJw 3.2 messages (no Dagster imports); the generator writes synthetic ones."""

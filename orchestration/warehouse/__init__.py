"""The warehouse's own tables (raw landing tables and the audit trail) and how files are loaded into them."""

"""Serving the publication tiers to BI tools from PostgreSQL (docs/bi.md): a local cluster, roles, the loader."""

"""Small DuckDB warehouses holding the three publication tiers as the serving loader reads them
(orchestration/serving/load.py), with providers 11110001 and 22220002 in every kind of provider-facing table."""

import json
from pathlib import Path

import duckdb

PROVIDER_A, PROVIDER_B = "11110001", "22220002"

TIER_SQL = f"""
create schema public_marts;
create schema analyst;
create schema audit_tier;
create table public_marts.kpi_values as select * from (values
    ('youths_in_care', 'region', 'JZ32', '2024-Q1', 120::double, false),
    ('youths_in_care', 'municipality', 'GM0392', '2024-Q1', null::double, true),
    ('youths_in_care', 'provider', '{PROVIDER_A}', '2024-Q1', 40::double, false),
    ('youths_in_care', 'provider', '{PROVIDER_B}', '2024-Q1', 80::double, false)
) as t(kpi_id, scope_type, scope_code, period, value, is_withheld);
create table public_marts.dialogue_agenda as select * from (values
    ('JZ32', '{PROVIDER_A}', '2024-Q1', 1, 'signal'),
    ('JZ32', '{PROVIDER_B}', '2024-Q1', 1, 'signal'),
    ('JZ32', '{PROVIDER_B}', '2024-Q1', 2, 'forecast')
) as t(region_code, provider_agb, period, item_rank, item_type);
create table public_marts.steering_drivers as select * from (values
    ('region', 'JZ32', 'provider', '{PROVIDER_A}', 100::bigint),
    ('region', 'JZ32', 'provider', '{PROVIDER_B}', 300::bigint),
    ('region', 'JZ32', 'care_form', 'ambulant', 400::bigint),
    ('provider', '{PROVIDER_B}', 'care_form', 'ambulant', 300::bigint)
) as t(scope_type, scope_code, driver_type, driver_code, effect_cents);
create table public_marts.dim_provider as select * from (values
    ('{PROVIDER_A}', 'Zorg A'), ('{PROVIDER_B}', 'Zorg B')
) as t(provider_agb, provider_name);
create table public_marts.fct_budget as select * from (values
    ('GM0392', 2024, 150000000::bigint), ('GM0453', 2024, 90000000::bigint)
) as t(municipality_code, year, budget_cents);
create table public_marts.dim_date as
    select d::date as date_day, strftime(d, '%Y') || '-Q' || quarter(d) as quarter_label
    from range(date '2024-01-01', date '2025-01-01', interval 1 day) as r(d);
create table analyst.fct_trajectory as select * from (values
    ('c-1', '{PROVIDER_A}', date '2024-01-03'), ('c-2', '{PROVIDER_B}', date '2024-02-01')
) as t(client_key, provider_agb, start_date);
create table audit_tier.ingest_ledger as select * from (values
    ('ijw/a.xml', 'JW303', 10, 'loaded')
) as t(file_path, message_type, records_read, status);
"""


def write_tiers(path: Path, extra_sql: str = "") -> Path:
    """A DuckDB file at `path` with the three tiers, then `extra_sql` run on it (more tables, changed rows)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    try:
        con.execute(TIER_SQL + extra_sql)
    finally:
        con.close()
    return path


def write_manifest(path: Path) -> Path:
    """A dbt manifest as the loader reads it: the public kpi_values described, its grain tested unique; the internal
    mart of the same name described and tested otherwise (not served, so not used)."""
    nodes = {
        "model.jeugdhulp.public_kpi_values": {
            "resource_type": "model",
            "name": "public_kpi_values",
            "alias": "kpi_values",
            "schema": "public_marts",
            "description": "One row per KPI, scope and period; withheld counts are null.",
            "columns": {"is_withheld": {"description": "True when the count is below the threshold."}},
        },
        "model.jeugdhulp.marts_kpi_values": {
            "resource_type": "model",
            "name": "kpi_values",
            "alias": "kpi_values",
            "schema": "marts",
            "description": "The internal mart, not served.",
            "columns": {},
        },
        "test.jeugdhulp.unique_combination_public_kpi_values": {
            "resource_type": "test",
            "attached_node": "model.jeugdhulp.public_kpi_values",
            "test_metadata": {"name": "unique_combination", "kwargs": {"columns": ["kpi_id", "scope_type", "period"]}},
        },
        "test.jeugdhulp.unique_marts_kpi_values_kpi_id": {
            "resource_type": "test",
            "attached_node": "model.jeugdhulp.marts_kpi_values",
            "column_name": "kpi_id",
            "test_metadata": {"name": "unique", "kwargs": {"column_name": "kpi_id"}},
        },
    }
    path.write_text(json.dumps({"nodes": nodes}))
    return path

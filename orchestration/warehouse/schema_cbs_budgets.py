"""DDL for the raw tables of CBS open data and budgets (docs/cbs.md, docs/budgets.md). Append-only like raw.ijw_*."""

PROVENANCE = """
        source_record varchar not null,
        file_path varchar not null,
        file_sha256 varchar not null,
        ingested_at timestamptz not null,
        run_id varchar not null"""

PERIOD = """
        period_code varchar not null,
        period_type varchar not null,
        period varchar not null,
        year integer not null,
        status varchar,"""

OBSERVATIONS = f"""(
        table_id varchar not null,
        scope_code varchar not null,{PERIOD}
        category varchar not null,
        measure_key varchar not null,
        measure_title varchar,
        unit varchar,
        value double,{PROVENANCE}
    )"""

STATEMENTS = [
    *(
        f"create table if not exists raw.cbs_{name} {OBSERVATIONS}"
        for name in ("jeugdzorg_kerncijfers", "jeugdzorg_trajecten", "jeugdzorg_gemeenten", "jeugdzorg_kosten")
    ),
    f"""
    create table if not exists raw.cbs_population (
        table_id varchar not null,
        scope_code varchar not null,{PERIOD}
        age_key varchar not null,
        age_years integer,
        persons bigint,{PROVENANCE}
    )
    """,
    f"""
    create table if not exists raw.cbs_regions (
        table_id varchar not null,
        municipality_code varchar not null,
        municipality_name varchar,
        region_code varchar not null,
        region_name varchar,{PERIOD}{PROVENANCE}
    )
    """,
    f"""
    create table if not exists raw.cbs_iv3 (
        table_id varchar not null,
        municipality_code varchar not null,{PERIOD}
        taakveld_key varchar not null,
        taakveld_code varchar,
        taakveld_title varchar,
        category varchar not null,
        report_key varchar not null,
        report_kind varchar not null,
        amount_1e_thousands double,
        amount_1e_no_data boolean not null,
        amount_2e_thousands double,
        amount_2e_no_data boolean not null,
        placement varchar,
        amount_cents bigint,{PROVENANCE}
    )
    """,
    """
    create table if not exists raw.budget_region_lines (
        municipality_code varchar not null,
        year integer not null,
        perceel varchar not null,
        amount_cents bigint not null,
        note varchar,
        source_line integer not null,
        file_path varchar not null,
        file_sha256 varchar not null,
        ingested_at timestamptz not null,
        run_id varchar not null
    )
    """,
]

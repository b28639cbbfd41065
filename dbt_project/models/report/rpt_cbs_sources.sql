{#- The CBS tables behind the figures a report shows, one row per report, KPI and table, so the report can print the
    source line "Bron: CBS StatLine, tabel <id>, status <status> (<year>)" wherever such a figure appears: the national
    figure beside the municipality grid (rpt_comparisons), and the KPIs whose value divides by CBS's population
    (macro cbs_population_kpis: 03759ned of the quarter's year, over the region's municipalities) in the signal
    tables, the grid, the figures without a target and the workbook. The status is CBS's for that table and year, as
    the ingest keeps it (fct_cbs_indicator, fct_population). -#}
with rpt_periods as (
    select * from {{ ref('rpt_periods') }}
),

rpt_comparisons as (
    select * from {{ ref('rpt_comparisons') }}
),

population as (
    select * from {{ ref('public_fct_population') }}
),

dim_municipality as (
    select * from {{ ref('public_dim_municipality') }}
),

population_kpis as (
    select kpi_id from {{ ref('public_dim_kpi') }}
    where kpi_id in {{ cbs_population_kpis() }}
),

national_sources as (
    select
        region_code,
        quarter,
        kpi_id,
        'nl' as role,
        nl_table_id as table_id,
        nl_period as period,
        nl_status as status
    from rpt_comparisons
    where nl_value is not null
),

population_statuses as (
    select
        dim_municipality.region_code,
        population.year,
        max(population.table_id) as table_id,
        max(population.status) as status
    from population
    inner join dim_municipality on population.municipality_code = dim_municipality.municipality_code
    where dim_municipality.region_code is not null
    group by dim_municipality.region_code, population.year
),

population_sources as (
    select
        rpt_periods.region_code,
        rpt_periods.quarter,
        population_kpis.kpi_id,
        'population' as role,
        population_statuses.table_id,
        cast(population_statuses.year as varchar) as period,
        population_statuses.status
    from rpt_periods
    cross join population_kpis
    inner join population_statuses
        on rpt_periods.region_code = population_statuses.region_code
        and rpt_periods.year = population_statuses.year
),

sources as (
    select * from national_sources
    union all
    select * from population_sources
),

final as (
    select
        region_code,
        quarter,
        kpi_id,
        role,
        table_id,
        period,
        status,
        'Bron: CBS StatLine, tabel ' || table_id || ', status ' || coalesce(status, 'onbekend') || ' (' || period || ')'
            as source_line
    from sources
)

select * from final

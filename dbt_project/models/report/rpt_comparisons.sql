{#- Beside each municipality value of a report's KPI grid: the region's value in the same quarter and the national
    (NL) figure. The warehouse holds no national traffic, so NL is CBS's published figure (kpi_values scope nl, yearly,
    kpi_catalogue.nl_source), of the latest year up to the report's, with its CBS table and that period's status for
    the source line. Counts have no NL figure here: a national count beside a municipality's says nothing. -#}
with rpt_signals as (
    select * from {{ ref('rpt_signals') }}
),

rpt_periods as (
    select * from {{ ref('rpt_periods') }}
),

kpi_values as (
    select * from {{ ref('public_kpi_values') }}
),

dim_kpi as (
    select * from {{ ref('public_dim_kpi') }}
),

cbs_indicator as (
    select * from {{ ref('public_fct_cbs_indicator') }}
    where scope_type = 'nl' and period_type = 'year'
),

grid_kpis as (
    select distinct
        region_code,
        quarter,
        kpi_id
    from rpt_signals
    where scope_type = 'municipality'
),

nl_years as (
    select
        grid_kpis.region_code,
        grid_kpis.quarter,
        grid_kpis.kpi_id,
        max(kpi_values.period) as nl_period
    from grid_kpis
    inner join rpt_periods
        on grid_kpis.region_code = rpt_periods.region_code
        and grid_kpis.quarter = rpt_periods.quarter
    inner join kpi_values
        on grid_kpis.kpi_id = kpi_values.kpi_id
        and kpi_values.scope_type = 'nl'
        and kpi_values.period_type = 'year'
        and kpi_values.period <= cast(rpt_periods.year as varchar)
        and kpi_values.value is not null
    inner join dim_kpi on grid_kpis.kpi_id = dim_kpi.kpi_id
    where dim_kpi.unit <> 'count'
    group by grid_kpis.region_code, grid_kpis.quarter, grid_kpis.kpi_id
),

nl_sources as (
    select
        nl_years.region_code,
        nl_years.quarter,
        nl_years.kpi_id,
        nl_years.nl_period,
        kpi_values.value as nl_value,
        -- nl_source reads 'CBS 85099NED, <what>': the table is its second word.
        replace({{ dbt.split_part('dim_kpi.nl_source', "' '", 2) }}, ',', '') as nl_table_id
    from nl_years
    inner join kpi_values
        on nl_years.kpi_id = kpi_values.kpi_id
        and kpi_values.scope_type = 'nl'
        and kpi_values.period_type = 'year'
        and nl_years.nl_period = kpi_values.period
    inner join dim_kpi on nl_years.kpi_id = dim_kpi.kpi_id
),

statuses as (
    select
        table_id,
        period,
        max(status) as status
    from cbs_indicator
    group by table_id, period
),

final as (
    select
        grid_kpis.region_code,
        grid_kpis.quarter,
        grid_kpis.kpi_id,
        region_signals.value as region_value,
        region_signals.unit,
        nl_sources.nl_value,
        nl_sources.nl_period,
        nl_sources.nl_table_id,
        statuses.status as nl_status
    from grid_kpis
    left join rpt_signals as region_signals
        on grid_kpis.region_code = region_signals.region_code
        and grid_kpis.quarter = region_signals.quarter
        and grid_kpis.kpi_id = region_signals.kpi_id
        and region_signals.scope_type = 'region'
    left join nl_sources
        on grid_kpis.region_code = nl_sources.region_code
        and grid_kpis.quarter = nl_sources.quarter
        and grid_kpis.kpi_id = nl_sources.kpi_id
    left join statuses
        on nl_sources.nl_table_id = statuses.table_id
        and nl_sources.nl_period = statuses.period
)

select * from final

{#- Every KPI value of a reported region and its municipalities in the report's quarter, with its signal where the
    KPI has a target: the workbook's KPI table, the region first, then its municipalities by code. -#}
with kpi_values as (
    select * from {{ ref('public_kpi_values') }}
),

dim_kpi as (
    select * from {{ ref('public_dim_kpi') }}
),

steering_signals as (
    select * from {{ ref('public_steering_signals') }}
),

dim_region as (
    select * from {{ ref('public_dim_region') }}
),

dim_municipality as (
    select * from {{ ref('public_dim_municipality') }}
),

rpt_periods as (
    select * from {{ ref('rpt_periods') }}
),

scopes as (
    select
        region_code,
        'region' as scope_type,
        region_code as scope_code,
        region_name as scope_name,
        0 as scope_order
    from dim_region
    union all
    select
        region_code,
        'municipality' as scope_type,
        municipality_code as scope_code,
        municipality_name as scope_name,
        1 as scope_order
    from dim_municipality
),

final as (
    select
        rpt_periods.region_code,
        rpt_periods.quarter,
        kpi_values.kpi_id,
        dim_kpi.name_nl,
        kpi_values.scope_type,
        kpi_values.scope_code,
        coalesce(scopes.scope_name, kpi_values.scope_code) as scope_name,
        kpi_values.period,
        {{ report_kpi_figures('steering_signals') }},
        cast(row_number() over (
            partition by rpt_periods.region_code, rpt_periods.quarter
            order by scopes.scope_order, kpi_values.scope_code, kpi_values.kpi_id
        ) as integer) as row_order
    from kpi_values
    inner join scopes
        on kpi_values.scope_type = scopes.scope_type
        and kpi_values.scope_code = scopes.scope_code
    inner join rpt_periods
        on scopes.region_code = rpt_periods.region_code
        and kpi_values.period = rpt_periods.quarter
    inner join dim_kpi on kpi_values.kpi_id = dim_kpi.kpi_id
    left join steering_signals
        on {{ same_kpi_scope_period('kpi_values', 'steering_signals') }}
    where kpi_values.period_type = 'quarter'
)

select * from final

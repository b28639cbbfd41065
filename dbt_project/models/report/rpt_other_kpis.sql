{#- The region-scope KPI values of a report's quarter for KPIs without a signal (no target in the catalogue): the
    report's "kengetallen zonder norm", by policy goal and name. -#}
with kpi_values as (
    select * from {{ ref('public_kpi_values') }}
),

dim_kpi as (
    select * from {{ ref('public_dim_kpi') }}
),

steering_signals as (
    select * from {{ ref('public_steering_signals') }}
),

rpt_periods as (
    select * from {{ ref('rpt_periods') }}
),

region_signals as (
    select
        kpi_id,
        scope_code,
        period
    from steering_signals
    where scope_type = 'region'
),

final as (
    select
        rpt_periods.region_code,
        rpt_periods.quarter,
        kpi_values.kpi_id,
        dim_kpi.name_nl,
        kpi_values.value,
        kpi_values.unit,
        dim_kpi.lever,
        dim_kpi.policy_goal,
        cast(row_number() over (
            partition by rpt_periods.region_code, rpt_periods.quarter
            order by dim_kpi.policy_goal, dim_kpi.name_nl, kpi_values.kpi_id
        ) as integer) as row_order
    from kpi_values
    inner join rpt_periods
        on kpi_values.scope_code = rpt_periods.region_code
        and kpi_values.period = rpt_periods.quarter
    inner join dim_kpi on kpi_values.kpi_id = dim_kpi.kpi_id
    left join region_signals
        on kpi_values.kpi_id = region_signals.kpi_id
        and kpi_values.scope_code = region_signals.scope_code
        and kpi_values.period = region_signals.period
    where
        kpi_values.scope_type = 'region'
        and kpi_values.period_type = 'quarter'
        and region_signals.kpi_id is null
)

select * from final

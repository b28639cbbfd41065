{#- The steering signals of each reported region and its municipalities in the report's quarter, with the KPI's unit
    and the two orders the report shows them in: signal_order (most urgent first, the region before its
    municipalities) and matrix_order (the KPI x municipality grid: the KPI with most red municipality signals first,
    then most amber, then most without data). -#}
with steering_signals as (
    select * from {{ ref('public_steering_signals') }}
),

dim_kpi as (
    select * from {{ ref('public_dim_kpi') }}
),

kpi_values as (
    select * from {{ ref('public_kpi_values') }}
    where period_type = 'quarter'
),

rpt_periods as (
    select * from {{ ref('rpt_periods') }}
),

reported_signals as (
    select
        steering_signals.region_code,
        steering_signals.period as quarter,
        steering_signals.kpi_id,
        steering_signals.name_nl,
        steering_signals.scope_type,
        steering_signals.scope_code,
        steering_signals.value,
        steering_signals.target,
        steering_signals.band_low,
        steering_signals.band_high,
        steering_signals.direction,
        steering_signals.status,
        steering_signals.lever,
        steering_signals.policy_goal,
        steering_signals.trend,
        steering_signals.trend_values,
        steering_signals.drivers,
        steering_signals.no_data_reason,
        dim_kpi.unit,
        kpi_values.lookback_complete,
        {{ signal_status_order('steering_signals.status') }} as status_order
    from steering_signals
    inner join rpt_periods
        on steering_signals.region_code = rpt_periods.region_code
        and steering_signals.period = rpt_periods.quarter
    left join dim_kpi on steering_signals.kpi_id = dim_kpi.kpi_id
    left join kpi_values
        on {{ same_kpi_scope_period('steering_signals', 'kpi_values') }}
),

municipality_grid as (
    select
        region_code,
        quarter,
        kpi_id,
        cast(dense_rank() over (
            partition by region_code, quarter
            order by
                sum(case when status = 'red' then 1 else 0 end) desc,
                sum(case when status = 'amber' then 1 else 0 end) desc,
                sum(case when status = 'no_data' then 1 else 0 end) desc,
                min(name_nl),
                kpi_id
        ) as integer) as matrix_order
    from reported_signals
    where scope_type = 'municipality'
    group by region_code, quarter, kpi_id
),

final as (
    select
        reported_signals.region_code,
        reported_signals.quarter,
        reported_signals.kpi_id,
        reported_signals.name_nl,
        reported_signals.scope_type,
        reported_signals.scope_code,
        reported_signals.value,
        reported_signals.target,
        reported_signals.band_low,
        reported_signals.band_high,
        reported_signals.direction,
        reported_signals.status,
        reported_signals.lever,
        reported_signals.policy_goal,
        reported_signals.trend,
        reported_signals.trend_values,
        reported_signals.drivers,
        reported_signals.no_data_reason,
        reported_signals.unit,
        reported_signals.lookback_complete,
        cast(row_number() over (
            partition by reported_signals.region_code, reported_signals.quarter
            order by
                reported_signals.status_order,
                reported_signals.scope_type <> 'region',
                reported_signals.scope_code,
                reported_signals.kpi_id
        ) as integer) as signal_order,
        municipality_grid.matrix_order
    from reported_signals
    left join municipality_grid
        on reported_signals.scope_type = 'municipality'
        and reported_signals.region_code = municipality_grid.region_code
        and reported_signals.quarter = municipality_grid.quarter
        and reported_signals.kpi_id = municipality_grid.kpi_id
)

select * from final

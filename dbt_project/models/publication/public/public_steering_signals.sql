{#- steering_signals as published: a signal repeats its quarter's KPI value, so where the published kpi_values row is
    withheld (int_kpi_values_withheld) the signal shows no_data for reason 'suppressed', without value, severity or
    drivers; a trend whose four quarters hold a withheld one loses its values and slope; a driver list that names a
    withheld driver (public_steering_drivers) is left out. -#}
with signals as (
    select
        kpi_id, name_nl, scope_type, scope_code, region_code, period, value, target, band_low, band_high, direction,
        status, lever, policy_goal, trend, trend_values, drivers, target_source, no_data_reason, severity,
        trend_slope,
        4 * cast(substr(period, 1, 4) as integer) + cast(substr(period, 7, 1) as integer) as quarter_index
    from {{ ref('steering_signals') }}
),

withheld_quarters as (
    select
        kpi_id,
        scope_type,
        scope_code,
        period,
        4 * cast(substr(period, 1, 4) as integer) + cast(substr(period, 7, 1) as integer) as quarter_index
    from {{ ref('int_kpi_values_withheld') }}
    where period_type = 'quarter'
),

withheld_trends as (
    select distinct signals.kpi_id, signals.scope_type, signals.scope_code, signals.period
    from signals
    inner join withheld_quarters
        on signals.kpi_id = withheld_quarters.kpi_id
        and signals.scope_type = withheld_quarters.scope_type
        and signals.scope_code = withheld_quarters.scope_code
        and withheld_quarters.quarter_index between signals.quarter_index - 3 and signals.quarter_index
),

withheld_driver_lists as (
    select distinct kpi_id, scope_type, scope_code, period
    from {{ ref('public_steering_drivers') }}
    where driver_rank <= 3 and is_withheld
),

flagged as (
    select
        signals.*,
        withheld_quarters.kpi_id is not null as is_withheld,
        withheld_trends.kpi_id is not null as trend_withheld,
        withheld_driver_lists.kpi_id is not null as drivers_withheld
    from signals
    left join withheld_quarters
        on {{ same_kpi_scope_period('signals', 'withheld_quarters') }}
    left join withheld_trends
        on {{ same_kpi_scope_period('signals', 'withheld_trends') }}
    left join withheld_driver_lists
        on {{ same_kpi_scope_period('signals', 'withheld_driver_lists') }}
),

final as (
    select
        kpi_id,
        name_nl,
        scope_type,
        scope_code,
        region_code,
        period,
        case when not is_withheld then value end as value,
        target,
        band_low,
        band_high,
        direction,
        case when is_withheld then 'no_data' else status end as status,
        lever,
        policy_goal,
        trend,
        case when not trend_withheld then trend_values end as trend_values,
        case when not (is_withheld or drivers_withheld) then drivers end as drivers,
        target_source,
        case when is_withheld then 'suppressed' else no_data_reason end as no_data_reason,
        case when not is_withheld then severity end as severity,
        case when not trend_withheld then trend_slope end as trend_slope,
        {{ period_first_day('period') }} as period_start_date,
        {{ period_last_day('period') }} as period_end_date,
        is_withheld
    from flagged
)

select * from final

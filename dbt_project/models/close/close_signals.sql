{#- The steering signals a quarterly close freezes: the signals of a region and of its municipalities per quarter. -#}
with steering_signals as (
    select * from {{ ref('steering_signals') }}
),

final as (
    select
        region_code, period as quarter,
        kpi_id, scope_type, scope_code,
        value,
        target,
        band_low,
        band_high,
        status,
        lever,
        policy_goal,
        trend,
        drivers
    from steering_signals
    where scope_type in ('region', 'municipality')
)

select * from final

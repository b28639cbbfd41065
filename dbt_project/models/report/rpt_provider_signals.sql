{#- The steering signals of a reported region and its municipalities as a provider edition shows them: the region's
    aggregates of rpt_signals, without the driver lists that name providers (a municipality's drivers are its
    largest providers, so they would show a provider other providers' shares). A region's drivers are its
    municipalities and stay. A provider's own share in a signal is on its agenda (rpt_agenda). -#}
with signals as (
    select * from {{ ref('rpt_signals') }}
),

final as (
    select
        region_code, quarter,
        kpi_id,
        name_nl,
        scope_type, scope_code,
        value,
        target,
        band_low,
        band_high,
        direction,
        status,
        lever,
        policy_goal,
        trend,
        trend_values,
        case when scope_type = 'region' then drivers end as drivers,
        no_data_reason,
        unit,
        lookback_complete,
        signal_order,
        matrix_order
    from signals
)

select * from final

{#- dialogue_agenda as published: an item quotes its signal's value and drivers, so an item about a signal the
    public tier shows as no_data, or about a provider's withheld share, is left out; a withheld driver list is cut
    from the summary; the items left are ranked again, in their order. -#}
with agenda as (
    select
        region_code, provider_agb, period, item_rank, item_type, kpi_id, scope_type, scope_code, summary_nl,
        question_nl, severity
    from {{ ref('dialogue_agenda') }}
),

signals as (
    select kpi_id, scope_type, scope_code, period, status, drivers
    from {{ ref('public_steering_signals') }}
),

withheld_provider_shares as (
    select distinct kpi_id, scope_type, scope_code, period, driver_code as provider_agb
    from {{ ref('public_steering_drivers') }}
    where driver_type = 'provider' and is_withheld
),

kept as (
    select
        agenda.*,
        signals.drivers is null and signals.kpi_id is not null as drivers_withheld
    from agenda
    left join signals
        on {{ same_kpi_scope_period('agenda', 'signals') }}
    left join withheld_provider_shares
        on {{ same_kpi_scope_period('agenda', 'withheld_provider_shares') }}
        and agenda.provider_agb = withheld_provider_shares.provider_agb
    where coalesce(signals.status, '') <> 'no_data'
        and withheld_provider_shares.kpi_id is null
),

final as (
    select
        region_code, provider_agb, period,
        cast(row_number() over (
            partition by region_code, provider_agb, period order by item_rank
        ) as integer) as item_rank,
        item_type,
        kpi_id,
        scope_type,
        scope_code,
        case
            when drivers_withheld and {{ dbt.position("' Grootste bijdragen'", 'summary_nl') }} > 0
                then substr(summary_nl, 1, {{ dbt.position("' Grootste bijdragen'", 'summary_nl') }} - 1)
            else summary_nl
        end as summary_nl,
        question_nl,
        severity,
        {{ period_first_day('period') }} as period_start_date,
        {{ period_last_day('period') }} as period_end_date
    from kept
)

select * from final

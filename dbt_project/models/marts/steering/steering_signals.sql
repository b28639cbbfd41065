{#- The steering signals (DESIGN.md section 4): every KPI with a target x scope x quarter against its target and
    tolerance band, with status, trend and the top three drivers of a deviation. Definitions in docs/steering.md;
    the drivers' long form is steering_drivers. The summary names the drivers of one type per scope: municipalities
    of a region, providers of a municipality or care form, care forms of a provider, each by its name (its code where
    no dimension names it) with its contribution to value - target in the KPI's unit. -#}
with scored as (
    select * from {{ ref('int_steering_signals_scored') }}
),

summary_drivers as (
    select
        steering_drivers.kpi_id,
        steering_drivers.scope_type,
        steering_drivers.scope_code,
        steering_drivers.period,
        steering_drivers.driver_rank,
        coalesce(dim_municipality.municipality_name, dim_provider.provider_name, dim_care_form.care_form_name_nl,
            steering_drivers.driver_code)
            || ' '
            || {{ contribution_nl('steering_drivers.contribution', 'dim_kpi.unit') }} as driver_label
    from {{ ref('steering_drivers') }} as steering_drivers
    inner join {{ ref('dim_kpi') }} as dim_kpi on steering_drivers.kpi_id = dim_kpi.kpi_id
    {{ scope_name_joins('steering_drivers.driver_type', 'steering_drivers.driver_code') }}
    where steering_drivers.driver_rank <= 3
        and steering_drivers.driver_type = case steering_drivers.scope_type
            when 'region' then 'municipality'
            when 'municipality' then 'provider'
            when 'care_form' then 'provider'
            when 'provider' then 'care_form'
        end
),

summaries as (
    select
        kpi_id,
        scope_type,
        scope_code,
        period,
        {{ dbt.listagg('driver_label', "', '", 'order by driver_rank') }} as drivers
    from summary_drivers
    group by kpi_id, scope_type, scope_code, period
),

final as (
    select
        scored.kpi_id,
        scored.name_nl,
        scored.scope_type,
        scored.scope_code,
        scored.region_code,
        scored.period,
        scored.value,
        scored.target,
        scored.band_low,
        scored.band_high,
        scored.direction,
        scored.status,
        scored.lever,
        scored.policy_goal,
        scored.trend,
        scored.trend_values,
        case when scored.status in ('amber', 'red') then summaries.drivers end as drivers,
        scored.target_source,
        scored.no_data_reason,
        cast(scored.severity as double precision) as severity,
        cast(scored.trend_slope as double precision) as trend_slope
    from scored
    left join summaries
        on {{ same_kpi_scope_period('scored', 'summaries') }}
)

select * from final

{#- kpi_values as published: every row, with the value, numerator and denominator of a withheld row (a small count,
    a rate built on one, or a complement that would give one away: int_kpi_values_withheld) set to null. Periods also
    as dates, for BI tools that filter on dates. -#}
with kpi_values as (
    select
        kpi_id, scope_type, scope_code, period_type, period, value, numerator, denominator, unit, lookback_complete,
        municipalities_covered, municipalities_in_region
    from {{ ref('kpi_values') }}
),

withheld as (
    select kpi_id, scope_type, scope_code, period_type, period
    from {{ ref('int_kpi_values_withheld') }}
),

final as (
    select
        kpi_values.kpi_id, kpi_values.scope_type, kpi_values.scope_code, kpi_values.period_type, kpi_values.period,
        case when withheld.kpi_id is null then kpi_values.value end as value,
        case when withheld.kpi_id is null then kpi_values.numerator end as numerator,
        case when withheld.kpi_id is null then kpi_values.denominator end as denominator,
        kpi_values.unit,
        kpi_values.lookback_complete,
        kpi_values.municipalities_covered,
        kpi_values.municipalities_in_region,
        withheld.kpi_id is not null as suppressed,
        {{ period_first_day('kpi_values.period') }} as period_start_date,
        {{ period_last_day('kpi_values.period') }} as period_end_date,
        withheld.kpi_id is not null as is_withheld
    from kpi_values
    left join withheld
        on {{ same_kpi_value('kpi_values', 'withheld') }}
)

select * from final

{#- audit_tier.kpi_trace_totals: per KPI value, role and fact table, how many fact rows the trace lists and the figure
    they make (the distinct count or the sum, as measure says), beside the numerator or denominator kpi_values
    publishes, so the trace's totals are dbt's, not the command's. A view. -#}
{{ config(materialized='view') }}
with contributions as (
    select * from {{ ref('audit_kpi_contributions') }}
),

traced as (
    select
        kpi_id, role, scope_type, scope_code, period_type, period, measure,
        count(*) as fact_rows,
        case when measure = 'sum' then sum(amount) else count(distinct counting_key) end as traced_value
    from contributions
    group by kpi_id, role, scope_type, scope_code, period_type, period, measure
),

kpi_values as (
    select kpi_id, scope_type, scope_code, period_type, period, numerator, denominator
    from {{ ref('kpi_values') }}
),

final as (
    select
        traced.kpi_id,
        traced.role,
        traced.scope_type,
        traced.scope_code,
        traced.period_type,
        traced.period,
        traced.measure,
        traced.fact_rows,
        traced.traced_value,
        case traced.role when 'numerator' then kpi_values.numerator else kpi_values.denominator end as published_value
    from traced
    inner join kpi_values
        on {{ same_kpi_value('traced', 'kpi_values') }}
)

select * from final

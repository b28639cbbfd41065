{#- audit_tier.kpi_contributions: for every KPI value of marts.kpi_values at a published scope below nl, the fact
    rows behind its numerator and its denominator (role), each family's rows in one relation. measure says how the
    rows make the figure: 'distinct_count' of counting_key (a youth, trajectory, allocation or request) or 'sum' of
    amount (eurocents, days, volume, youths of the population). A growth KPI (<kpi>_growth in the catalogue) takes its
    base KPI's rows of the period as numerator and of the same period a year earlier as denominator. A view: the trace
    (orchestration/trace.py) selects one value's rows. -#}
{{ config(materialized='view') }}
{%- set families = [
    'audit_kpi_trajectory_contributions',
    'audit_kpi_declaration_contributions',
    'audit_kpi_referral_contributions',
    'audit_kpi_reference_contributions',
    'audit_kpi_product_category_contributions',
] %}
with family_rows as (
    {%- for family in families %}
    select
        kpi_id, role, scope_type, scope_code, period_type, period, fact_table, fact_key, counting_key, measure, amount
    from {{ ref(family) }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

growth_kpis as (
    select kpi_id, substr(kpi_id, 1, length(kpi_id) - length('_growth')) as base_kpi_id
    from {{ ref('kpi_catalogue') }}
    where kpi_id like '%\_growth' escape '\'
),

final as (
    select
        kpi_id, role, scope_type, scope_code, period_type, period, fact_table, fact_key, counting_key, measure, amount
    from family_rows
    union all
    select
        growth_kpis.kpi_id, 'numerator', family_rows.scope_type, family_rows.scope_code, family_rows.period_type,
        family_rows.period, family_rows.fact_table, family_rows.fact_key, family_rows.counting_key,
        family_rows.measure, family_rows.amount
    from family_rows
    inner join growth_kpis
        on family_rows.kpi_id = growth_kpis.base_kpi_id
    where family_rows.role = 'numerator'
    union all
    -- Last year's rows, labelled with the period they are compared with ('2023-Q3' -> '2024-Q3').
    select
        growth_kpis.kpi_id, 'denominator', family_rows.scope_type, family_rows.scope_code, family_rows.period_type,
        cast(cast(substr(family_rows.period, 1, 4) as integer) + 1 as varchar) || substr(family_rows.period, 5),
        family_rows.fact_table, family_rows.fact_key, family_rows.counting_key, family_rows.measure, family_rows.amount
    from family_rows
    inner join growth_kpis
        on family_rows.kpi_id = growth_kpis.base_kpi_id
    where family_rows.role = 'numerator'
)

select * from final

{#- Which declaration lines (marts.fct_declaration_line, one debit or credit each) make each cost KPI value, per
    published scope and period (int_kpi_costs_summed): net declared cost, the jeugdhulp cost over youths and
    trajectories, and the year-to-date cost of budget_realisation_share as of the forecasts' data cut. The line's
    fact_key is provider_agb|reference_number; amount its signed eurocents. A view, selected one value at a time. -#}
{{ config(materialized='view') }}
with declaration_lines as (
    select
        fct_declaration_line.provider_agb || '|' || fct_declaration_line.reference_number as line_key,
        fct_declaration_line.municipality_code,
        dim_municipality.region_code,
        fct_declaration_line.provider_agb,
        dim_product.care_form_code,
        coalesce(dim_care_form.cbs_care_domain, 'jeugdhulp') = 'jeugdhulp' as is_jeugdhulp,
        fct_declaration_line.period_start,
        fct_declaration_line.declaration_date,
        fct_declaration_line.amount_cents
    from {{ ref('fct_declaration_line') }} as fct_declaration_line
    inner join {{ ref('dim_municipality') }} as dim_municipality
        on fct_declaration_line.municipality_code = dim_municipality.municipality_code
    left join {{ ref('dim_product') }} as dim_product
        on fct_declaration_line.product_code = dim_product.product_code
    left join {{ ref('dim_care_form') }} as dim_care_form
        on dim_product.care_form_code = dim_care_form.care_form_code
),

scoped as (
    {{ kpi_scopes('declaration_lines', [
        'line_key', 'period_start', 'declaration_date', 'amount_cents', 'is_jeugdhulp'
    ]) }}
),

published as (
    select * from scoped where scope_type in {{ published_kpi_scope_types() }}
),

periods as (
    select period_type, period, first_day, last_day from {{ ref('int_kpi_periods') }}
),

in_period as (
    select published.*, periods.period_type, periods.period
    from published
    inner join periods
        on published.period_start between periods.first_day and periods.last_day
    {{ kpi_covered_join('published', 'periods') }}
),

as_of as (
    select cut_day from {{ ref('int_forecast_as_of') }}
),

year_to_date as (
    select published.*, periods.period_type, periods.period
    from published
    cross join as_of
    inner join periods
        on published.period_start between {{ dbt.date_trunc('year', 'periods.first_day') }} and periods.last_day
        and as_of.cut_day >= periods.last_day
    {{ kpi_covered_join('published', 'periods') }}
    where published.scope_type in ('municipality', 'region')
        and published.declaration_date <= as_of.cut_day
),

final as (
    {{ kpi_contribution_rows('in_period', 'fct_declaration_line', 'line_key', [
        ("'net_declared_cost'", 'numerator', 'line_key', 'amount_cents', 'true'),
        ("'cost_per_client'", 'numerator', 'line_key', 'amount_cents', 'is_jeugdhulp'),
        ("'cost_per_trajectory'", 'numerator', 'line_key', 'amount_cents', 'is_jeugdhulp'),
    ]) }}
    union all
    {{ kpi_contribution_rows('year_to_date', 'fct_declaration_line', 'line_key', [
        ("'budget_realisation_share'", 'numerator', 'line_key', 'amount_cents', 'true'),
    ]) }}
)

select * from final

{#- Which declaration lines (marts.fct_declaration_line, one debit or credit each) make each cost KPI value, per
    published scope and period (int_kpi_costs_summed): net declared cost, the jeugdhulp cost over youths and
    trajectories, and the year-to-date cost of budget_realisation_share as of the forecasts' data cut. The line's
    fact_key is provider_agb|reference_number; amount its signed eurocents. A view, selected one value at a time. -#}
{{ config(materialized='view') }}
with declaration_lines as (
    select line_key, municipality_code, region_code, provider_agb, care_form_code, is_jeugdhulp, period_start,
        declaration_date, amount_cents
    from {{ ref('int_kpi_declaration_lines_described') }}
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
    {{ kpi_periods_join('published', 'period_start') }}
),

as_of as (
    select cut_day from {{ ref('int_forecast_as_of') }}
),

year_to_date as (
    select published.*, periods.period_type, periods.period
    from published
    {{ kpi_year_to_date_join('published') }}
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

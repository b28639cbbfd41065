{#- Which facts make each product-category value (scope product_category, int_kpi_product_categories_counted): the
    youths of clients_in_care as the allocations (marts.fct_referral) of their jeugdhulp care episodes of the category
    active in the period (int_kpi_episodes_described), and the declaration lines of the category whose product period
    starts in the period behind net_declared_cost and cost_per_client. Youths count distinct: counting_key is a hash
    of the client key. A view, selected one value at a time. -#}
{{ config(materialized='view') }}
{%- set youth = dbt.hash('client_key') %}
with periods as (
    select period_type, period, first_day, last_day from {{ ref('int_kpi_periods') }}
),

episodes as (
    select
        'product_category' as scope_type,
        episodes.product_category as scope_code,
        periods.period_type,
        periods.period,
        episodes.allocation_number,
        episodes.client_key
    from {{ ref('int_kpi_episodes_described') }} as episodes
    {{ kpi_active_periods_join('episodes') }}
),

declaration_lines as (
    select
        'product_category' as scope_type,
        declaration_lines.product_category as scope_code,
        periods.period_type,
        periods.period,
        declaration_lines.line_key,
        declaration_lines.is_jeugdhulp,
        declaration_lines.amount_cents
    from {{ ref('int_kpi_declaration_lines_described') }} as declaration_lines
    {{ kpi_periods_join('declaration_lines', 'period_start') }}
    where declaration_lines.product_category is not null
),

final as (
    {{ kpi_contribution_rows('episodes', 'fct_referral', 'allocation_number', [
        ("'clients_in_care'", 'numerator', youth, none, 'true'),
        ("'cost_per_client'", 'denominator', youth, none, 'true'),
    ]) }}
    union all
    {{ kpi_contribution_rows('declaration_lines', 'fct_declaration_line', 'line_key', [
        ("'net_declared_cost'", 'numerator', 'line_key', 'amount_cents', 'true'),
        ("'cost_per_client'", 'numerator', 'line_key', 'amount_cents', 'is_jeugdhulp'),
    ]) }}
)

select * from final

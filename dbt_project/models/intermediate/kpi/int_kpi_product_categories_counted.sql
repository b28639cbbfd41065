{#- Clients, cost and cost per client per iJw product category (JZ020; scope product_category), as Regiovisie
    IJmond/Zuid-Kennemerland reads them (specialist GGZ, dyslexia, ambulant, residential). A trajectory may hold
    episodes of several categories (one care form, several products), so clients are counted on care episodes
    (int_care_episodes_applied: one started allocation and product): a youth counts once in each category it has a
    jeugdhulp episode of active in the period. Cost is the net declared amount of the lines of the category, by the
    period of the product period's start; cost per client divides its jeugdhulp part (justice care forms left out, a
    line without care form counted) by the category's clients. Facts count only where their municipality's data
    covers the period, as at every other scope. -#}
with episodes as (
    select
        episodes.client_key,
        episodes.municipality_code,
        episodes.product_category,
        episodes.start_date,
        episodes.end_date
    from {{ ref('int_care_episodes_applied') }} as episodes
    inner join {{ ref('dim_care_form') }} as dim_care_form
        on episodes.care_form_code = dim_care_form.care_form_code
    where dim_care_form.cbs_care_domain = 'jeugdhulp'
        and episodes.product_category is not null
),

declaration_lines as (
    select
        fct_declaration_line.municipality_code,
        fct_declaration_line.product_category,
        fct_declaration_line.period_start,
        fct_declaration_line.amount_cents,
        coalesce(dim_care_form.cbs_care_domain, 'jeugdhulp') = 'jeugdhulp' as is_jeugdhulp
    from {{ ref('fct_declaration_line') }} as fct_declaration_line
    left join {{ ref('dim_product') }} as dim_product
        on fct_declaration_line.product_code = dim_product.product_code
    left join {{ ref('dim_care_form') }} as dim_care_form
        on dim_product.care_form_code = dim_care_form.care_form_code
),

periods as (
    select period_type, period, first_day, last_day from {{ ref('int_kpi_periods') }}
),

clients as (
    select
        episodes.product_category,
        periods.period_type,
        periods.period,
        count(distinct episodes.client_key) as clients
    from episodes
    inner join periods
        on episodes.start_date <= periods.last_day
        and (episodes.end_date is null or episodes.end_date >= periods.first_day)
    {{ kpi_covered_join('episodes', 'periods') }}
    group by episodes.product_category, periods.period_type, periods.period
),

costs as (
    select
        declaration_lines.product_category,
        periods.period_type,
        periods.period,
        sum(declaration_lines.amount_cents) as net_cents,
        sum(case when declaration_lines.is_jeugdhulp then declaration_lines.amount_cents else 0 end)
            as jeugdhulp_cents
    from declaration_lines
    inner join periods
        on declaration_lines.period_start between periods.first_day and periods.last_day
    {{ kpi_covered_join('declaration_lines', 'periods') }}
    group by declaration_lines.product_category, periods.period_type, periods.period
),

final as (
    select 'clients_in_care' as kpi_id, product_category, period_type, period,
        clients as numerator,
        cast(null as bigint) as denominator,
        cast(clients as double precision) as value
    from clients
    union all
    select 'net_declared_cost', product_category, period_type, period, net_cents, null, net_cents / 100.0
    from costs
    union all
    select 'cost_per_client', costs.product_category, costs.period_type, costs.period,
        costs.jeugdhulp_cents, clients.clients, costs.jeugdhulp_cents / 100.0 / clients.clients
    from costs
    inner join clients
        on costs.product_category = clients.product_category
        and costs.period_type = clients.period_type
        and costs.period = clients.period
)

select
    kpi_id,
    'product_category' as scope_type,
    product_category as scope_code,
    period_type,
    period,
    numerator,
    denominator,
    value
from final

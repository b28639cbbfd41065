{#- Clients, cost and cost per client per iJw product category (JZ020; scope product_category), as Regiovisie
    IJmond/Zuid-Kennemerland reads them (specialist GGZ, dyslexia, ambulant, residential). A trajectory may hold
    episodes of several categories (one care form, several products), so clients are counted on care episodes
    (int_care_episodes_applied: one started allocation and product): a youth counts once in each category it has a
    jeugdhulp episode of active in the period. Cost is the net declared amount of the lines of the category, by the
    period of the product period's start; cost per client divides its jeugdhulp part (justice care forms left out, a
    line without care form counted) by the category's clients. Facts count only where their municipality's data
    covers the period, as at every other scope. -#}
with episodes as (
    select client_key, municipality_code, product_category, start_date, end_date
    from {{ ref('int_kpi_episodes_described') }}
),

declaration_lines as (
    select municipality_code, product_category, period_start, amount_cents, is_jeugdhulp
    from {{ ref('int_kpi_declaration_lines_described') }}
    where product_category is not null
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
    {{ kpi_active_periods_join('episodes') }}
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
    {{ kpi_periods_join('declaration_lines', 'period_start') }}
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

{#- Cost KPIs per scope and period of the product period's start, so a credit lands in the period of the debit it
    corrects: net declared cost, per youth and per trajectory in care, and the realisation of the region's own
    budget year to date. Amounts stay in eurocents until kpi_values. Cost per youth and per trajectory divide the
    jeugdhulp cost only (justice care forms left out, as from their denominators); a line whose product has no care
    form counts as jeugdhulp. -#}
with declaration_lines as (
    select
        fct_declaration_line.municipality_code,
        dim_municipality.region_code,
        fct_declaration_line.provider_agb,
        dim_product.care_form_code,
        coalesce(dim_care_form.cbs_care_domain, 'jeugdhulp') = 'jeugdhulp' as is_jeugdhulp,
        fct_declaration_line.period_start,
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
    {{ kpi_scopes('declaration_lines', ['period_start', 'amount_cents', 'is_jeugdhulp']) }}
),

periods as (
    select * from {{ ref('int_kpi_periods') }}
),

costs as (
    select
        scoped.scope_type,
        scoped.scope_code,
        periods.period_type,
        periods.period,
        sum(scoped.amount_cents) as net_cents,
        sum(case when scoped.is_jeugdhulp then scoped.amount_cents else 0 end) as jeugdhulp_cents
    from scoped
    inner join periods
        on scoped.period_start between periods.first_day and periods.last_day
    group by scoped.scope_type, scoped.scope_code, periods.period_type, periods.period
),

year_to_date as (
    select
        scoped.scope_type,
        scoped.scope_code,
        periods.period_type,
        periods.period,
        periods.period_year,
        sum(scoped.amount_cents) as net_cents
    from scoped
    inner join periods
        on scoped.period_start between {{ dbt.date_trunc('year', 'periods.first_day') }} and periods.last_day
    where scoped.scope_type in ('municipality', 'region')
    group by scoped.scope_type, scoped.scope_code, periods.period_type, periods.period, periods.period_year
),

region_budget_lines as (
    select
        fct_budget.municipality_code,
        dim_municipality.region_code,
        fct_budget.year,
        fct_budget.amount_cents
    from {{ ref('fct_budget') }} as fct_budget
    inner join {{ ref('dim_municipality') }} as dim_municipality
        on fct_budget.municipality_code = dim_municipality.municipality_code
    where fct_budget.kind = 'region_budget'
),

budgets as (
    select 'municipality' as scope_type, municipality_code as scope_code, year, sum(amount_cents) as budget_cents
    from region_budget_lines
    group by municipality_code, year
    union all
    select 'region', region_code, year, sum(amount_cents)
    from region_budget_lines
    group by region_code, year
),

counted as (
    select * from {{ ref('int_kpi_trajectories_counted') }}
    where kpi_id in ('clients_in_care', 'trajectories_active')
),

final as (
    select 'net_declared_cost' as kpi_id, scope_type, scope_code, period_type, period,
        net_cents as numerator, cast(null as bigint) as denominator, net_cents / 100.0 as value
    from costs
    union all
    select
        case counted.kpi_id when 'clients_in_care' then 'cost_per_client' else 'cost_per_trajectory' end,
        costs.scope_type, costs.scope_code, costs.period_type, costs.period,
        costs.jeugdhulp_cents, counted.numerator, costs.jeugdhulp_cents / 100.0 / counted.numerator
    from costs
    inner join counted
        on costs.scope_type = counted.scope_type
        and costs.scope_code = counted.scope_code
        and costs.period_type = counted.period_type
        and costs.period = counted.period
    union all
    select 'budget_realisation_share', year_to_date.scope_type, year_to_date.scope_code, year_to_date.period_type,
        year_to_date.period, year_to_date.net_cents, budgets.budget_cents,
        100.0 * year_to_date.net_cents / budgets.budget_cents
    from year_to_date
    inner join budgets
        on year_to_date.scope_type = budgets.scope_type
        and year_to_date.scope_code = budgets.scope_code
        and year_to_date.period_year = budgets.year
    where budgets.budget_cents > 0
)

select * from final

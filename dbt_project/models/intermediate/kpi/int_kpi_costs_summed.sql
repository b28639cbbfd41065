{#- Cost KPIs per scope and period of the product period's start, so a credit lands in the period of the debit it
    corrects: net declared cost, per youth and per trajectory in care, and the realisation of the region's own
    budget year to date: cost of the year up to the period's end over the share of the year's budget due by then
    (pro rata by month, or the region's phasing), so a quarter that spends ahead of its budget is over 100. Amounts
    stay in eurocents until kpi_values. Cost per youth and per trajectory divide the jeugdhulp cost only (justice
    care forms left out, as from their denominators); a line whose product has no care form counts as jeugdhulp. -#}
with declaration_lines as (
    select
        municipality_code, region_code, provider_agb, care_form_code, is_jeugdhulp, period_start, declaration_date,
        amount_cents
    from {{ ref('int_kpi_declaration_lines_described') }}
),

scoped as (
    {{ kpi_scopes('declaration_lines', ['period_start', 'declaration_date', 'amount_cents', 'is_jeugdhulp']) }}
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
    {{ kpi_periods_join('scoped', 'period_start') }}
    group by scoped.scope_type, scoped.scope_code, periods.period_type, periods.period
),

as_of as (
    select cut_day from {{ ref('int_forecast_as_of') }}
),

-- Budget realisation reads the warehouse as of the forecasts' data cut (int_forecast_as_of), as budget_forecast
-- does: for the same cut both state the same realised cost, and a period after the cut has no realisation yet.
year_to_date as (
    select
        scoped.scope_type,
        scoped.scope_code,
        periods.period_type,
        periods.period,
        periods.period_year,
        cast(extract(month from periods.last_day) as integer) as months_elapsed,
        sum(scoped.amount_cents) as net_cents
    from scoped
    {{ kpi_year_to_date_join('scoped') }}
    group by
        scoped.scope_type, scoped.scope_code, periods.period_type, periods.period, periods.period_year,
        periods.last_day
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

-- A region's budget counts only the municipalities whose data covers the period, as its cost does.
covered_budgets as (
    select
        region_budget_lines.municipality_code,
        region_budget_lines.region_code,
        coverage.period_type,
        coverage.period,
        sum(region_budget_lines.amount_cents) as budget_cents
    from region_budget_lines
    inner join {{ ref('int_municipality_periods_covered') }} as coverage
        on region_budget_lines.municipality_code = coverage.municipality_code
        and region_budget_lines.year = cast(extract(year from coverage.first_day) as integer)
        and coverage.is_covered
    group by
        region_budget_lines.municipality_code, region_budget_lines.region_code, coverage.period_type, coverage.period
),

budgets as (
    select 'municipality' as scope_type, municipality_code as scope_code, region_code, period_type, period, budget_cents
    from covered_budgets
    union all
    select 'region', region_code, region_code, period_type, period, sum(budget_cents)
    from covered_budgets
    group by region_code, period_type, period
),

phasing as (
    select region_code, year, month, share_due from {{ ref('int_kpi_budget_shares_cumulated') }}
),

budget_due as (
    select
        budgets.scope_type,
        budgets.scope_code,
        budgets.period_type,
        budgets.period,
        budgets.budget_cents,
        year_to_date.net_cents,
        cast(budgets.budget_cents * coalesce(phasing.share_due, year_to_date.months_elapsed / 12.0) as decimal(38, 6))
            as budget_due_cents
    from year_to_date
    inner join budgets
        on {{ same_scope_period('year_to_date', 'budgets') }}
    left join phasing
        on budgets.region_code = phasing.region_code
        and year_to_date.period_year = phasing.year
        and year_to_date.months_elapsed = phasing.month
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
        on {{ same_scope_period('costs', 'counted') }}
    union all
    select 'budget_realisation_share', scope_type, scope_code, period_type, period, net_cents,
        {{ rounded('budget_due_cents', 2) }}, 100.0 * net_cents / budget_due_cents
    from budget_due
    where budget_due_cents > 0
)

select * from final

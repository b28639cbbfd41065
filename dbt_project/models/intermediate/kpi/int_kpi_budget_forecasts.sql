{#- The forecast KPIs, per year: budget_forecast_share (municipality and region: year-end forecast over the region
    budget, over the percelen with a budget line) and provider_revenue_cap_share (provider: forecast over the
    omzetplafond). Both read the forecast marts, as of their cut (docs/budget-forecast.md). -#}
with budgeted as (
    select municipality_code, region_code, year, forecast_year_end_cents, budget_cents
    from {{ ref('budget_forecast') }}
    where budget_cents is not null
),

budget_scopes as (
    select 'municipality' as scope_type, municipality_code as scope_code, year,
        sum(forecast_year_end_cents) as forecast_cents, sum(budget_cents) as budget_cents
    from budgeted
    group by municipality_code, year
    union all
    select 'region', region_code, year, sum(forecast_year_end_cents), sum(budget_cents)
    from budgeted
    group by region_code, year
),

capped as (
    select provider_agb, year, forecast_year_end_cents, cap_cents
    from {{ ref('provider_revenue_forecast') }}
    where cap_cents is not null
),

final as (
    select
        'budget_forecast_share' as kpi_id,
        scope_type,
        scope_code,
        'year' as period_type,
        cast(year as varchar) as period,
        forecast_cents as numerator,
        budget_cents as denominator,
        100.0 * forecast_cents / budget_cents as value
    from budget_scopes
    where budget_cents > 0
    union all
    select
        'provider_revenue_cap_share',
        'provider',
        provider_agb,
        'year',
        cast(year as varchar),
        forecast_year_end_cents,
        cap_cents,
        100.0 * forecast_year_end_cents / cap_cents
    from capped
    where cap_cents > 0
)

select * from final

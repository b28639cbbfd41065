{{ config(meta={'dagster': {'ref': {'name': 'kpi_values'}}}) }}
{#- The signal table and the budget-forecast section state the same realised cost for the same cut (docs/kpis.md,
    budget_realisation_share): for the forecasts' as-of quarter, budget_realisation_share's numerator of a
    municipality or region is budget_forecast's realised_cents_ytd summed over its percelen, of the municipalities
    whose data covers the quarter. Returns each scope where they differ. -#}
with forecast_realised as (
    select
        budget_forecast.municipality_code,
        budget_forecast.region_code,
        budget_forecast.as_of_period,
        sum(budget_forecast.realised_cents_ytd) as realised_cents
    from {{ ref('budget_forecast') }} as budget_forecast
    inner join {{ ref('kpi_coverage') }} as kpi_coverage
        on budget_forecast.municipality_code = kpi_coverage.municipality_code
        and kpi_coverage.period_type = 'quarter'
        and budget_forecast.as_of_period = kpi_coverage.period
        and kpi_coverage.is_covered
    where cast(budget_forecast.year as varchar) = substr(budget_forecast.as_of_period, 1, 4)
    group by budget_forecast.municipality_code, budget_forecast.region_code, budget_forecast.as_of_period
),

forecast_scopes as (
    select 'municipality' as scope_type, municipality_code as scope_code, as_of_period, realised_cents
    from forecast_realised
    union all
    select 'region', region_code, as_of_period, sum(realised_cents)
    from forecast_realised
    group by region_code, as_of_period
),

signal_realised as (
    select scope_type, scope_code, period, numerator
    from {{ ref('kpi_values') }}
    where kpi_id = 'budget_realisation_share'
        and period_type = 'quarter'
)

select
    signal_realised.scope_type,
    signal_realised.scope_code,
    signal_realised.period,
    signal_realised.numerator,
    forecast_scopes.realised_cents
from signal_realised
inner join forecast_scopes
    on signal_realised.scope_type = forecast_scopes.scope_type
    and signal_realised.scope_code = forecast_scopes.scope_code
    and signal_realised.period = forecast_scopes.as_of_period
where signal_realised.numerator <> forecast_scopes.realised_cents

{#- Per municipality, perceel and year: realised cost year to date, the year-end forecast corrected for the
    declaration lag, the region's own budget for the perceel and the boundary status (docs/budget-forecast.md).
    Rows: every municipality x perceel with declared cost up to the cut, and every region budget line of a year the
    declarations reach. Status: no_budget without a budget line; breach when the forecast exceeds the budget;
    warning when it exceeds budget_warning_share (default 95%) of it; within otherwise. -#}
{%- set warning_share = var('budget_warning_share', 0.95) %}
with forecasts as (
    select * from {{ ref('int_forecast_years_estimated') }}
    where series_type = 'municipality_perceel'
),

as_of as (
    select * from {{ ref('int_forecast_as_of') }}
),

budgets as (
    select municipality_code, year, budget_line as perceel, amount_cents as budget_cents
    from {{ ref('fct_budget') }}
    where kind = 'region_budget'
),

budget_years as (
    select distinct year from forecasts
),

keys as (
    select series_code as municipality_code, perceel, year from forecasts
    union
    select budgets.municipality_code, budgets.perceel, budgets.year
    from budgets
    inner join budget_years
        on budgets.year = budget_years.year
),

municipalities as (
    select municipality_code, region_code from {{ ref('dim_municipality') }}
),

joined as (
    select
        keys.municipality_code,
        municipalities.region_code,
        keys.perceel,
        keys.year,
        as_of.as_of_period,
        coalesce(forecasts.realised_cents_ytd, 0) as realised_cents_ytd,
        coalesce(forecasts.forecast_year_end_cents, 0) as forecast_year_end_cents,
        coalesce(forecasts.forecast_error_bound_cents, 0) as forecast_error_bound_cents,
        coalesce(forecasts.months_projected, 12) as months_projected,
        budgets.budget_cents
    from keys
    cross join as_of
    inner join municipalities
        on keys.municipality_code = municipalities.municipality_code
    left join forecasts
        on keys.municipality_code = forecasts.series_code
        and keys.perceel = forecasts.perceel
        and keys.year = forecasts.year
    left join budgets
        on keys.municipality_code = budgets.municipality_code
        and keys.perceel = budgets.perceel
        and keys.year = budgets.year
),

final as (
    select
        municipality_code,
        region_code,
        perceel,
        cast(year as integer) as year,
        as_of_period,
        cast(realised_cents_ytd as bigint) as realised_cents_ytd,
        cast(forecast_year_end_cents as bigint) as forecast_year_end_cents,
        cast(budget_cents as bigint) as budget_cents,
        cast(forecast_year_end_cents - budget_cents as bigint) as expected_overrun_cents,
        case
            when budget_cents is null then 'no_budget'
            when forecast_year_end_cents > budget_cents then 'breach'
            when forecast_year_end_cents > {{ warning_share }} * budget_cents then 'warning'
            else 'within'
        end as boundary_status,
        cast(forecast_error_bound_cents as bigint) as forecast_error_bound_cents,
        cast(months_projected as integer) as months_projected
    from joined
)

select * from final

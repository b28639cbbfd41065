{#- Per provider and year: revenue (net declared cents over every municipality) year to date, the year-end forecast
    with the same lag correction as budget_forecast, and the omzetplafond from the seed provider_revenue_caps;
    early_warning when the forecast crosses the cap (docs/budget-forecast.md). -#}
with forecasts as (
    select * from {{ ref('int_forecast_years_estimated') }}
    where series_type = 'provider'
),

caps as (
    select provider_agb, year, cast({{ rounded('cap_euros * 100') }} as bigint) as cap_cents
    from {{ ref('provider_revenue_caps') }}
),

final as (
    select
        forecasts.series_code as provider_agb,
        cast(forecasts.year as integer) as year,
        forecasts.as_of_period,
        cast(forecasts.realised_cents_ytd as bigint) as revenue_cents_ytd,
        cast(forecasts.forecast_year_end_cents as bigint) as forecast_year_end_cents,
        caps.cap_cents,
        cast(
            case when caps.cap_cents > 0 then 1.0 * forecasts.forecast_year_end_cents / caps.cap_cents end
            as double precision
        ) as forecast_share_of_cap,
        coalesce(forecasts.forecast_year_end_cents > caps.cap_cents, false) as early_warning,
        cast(forecasts.forecast_error_bound_cents as bigint) as forecast_error_bound_cents
    from forecasts
    left join caps
        on forecasts.series_code = caps.provider_agb
        and forecasts.year = caps.year
)

select * from final

{#- The revenue forecast against the cap, for the report quarter's year as of that quarter, of every provider that
    declared care for the region's municipalities in that year: early warnings first, then by forecast share of the
    cap. -#}
with provider_revenue_forecast as (
    select * from {{ ref('public_provider_revenue_forecast') }}
),

fct_declaration_line as (
    select * from {{ ref('fct_declaration_line') }}
),

dim_municipality as (
    select * from {{ ref('public_dim_municipality') }}
),

dim_date as (
    select * from {{ ref('public_dim_date') }}
),

rpt_periods as (
    select * from {{ ref('rpt_periods') }}
),

dim_provider as (
    select * from {{ ref('public_dim_provider') }}
),

active_providers as (
    select distinct
        dim_municipality.region_code,
        fct_declaration_line.provider_agb,
        dim_date.year
    from fct_declaration_line
    inner join dim_municipality on fct_declaration_line.municipality_code = dim_municipality.municipality_code
    inner join dim_date on fct_declaration_line.period_start = dim_date.date_day
),

final as (
    select
        rpt_periods.region_code,
        rpt_periods.quarter,
        provider_revenue_forecast.provider_agb,
        coalesce(dim_provider.provider_name, provider_revenue_forecast.provider_agb) as provider_name,
        provider_revenue_forecast.year,
        provider_revenue_forecast.as_of_period,
        provider_revenue_forecast.revenue_cents_ytd,
        provider_revenue_forecast.forecast_year_end_cents,
        provider_revenue_forecast.cap_cents,
        provider_revenue_forecast.forecast_share_of_cap,
        provider_revenue_forecast.early_warning,
        provider_revenue_forecast.forecast_error_bound_cents,
        cast(row_number() over (
            partition by rpt_periods.region_code, rpt_periods.quarter
            order by
                provider_revenue_forecast.early_warning desc,
                -- Rounded before ranking, so float noise never reorders two equal shares.
                {{ rounded("provider_revenue_forecast.forecast_share_of_cap", 6) }} desc nulls last,
                provider_revenue_forecast.provider_agb
        ) as integer) as row_order
    from provider_revenue_forecast
    inner join rpt_periods
        on provider_revenue_forecast.as_of_period = rpt_periods.quarter
        and provider_revenue_forecast.year = rpt_periods.year
    inner join active_providers
        on rpt_periods.region_code = active_providers.region_code
        and provider_revenue_forecast.provider_agb = active_providers.provider_agb
        and provider_revenue_forecast.year = active_providers.year
    left join dim_provider on provider_revenue_forecast.provider_agb = dim_provider.provider_agb
)

select * from final

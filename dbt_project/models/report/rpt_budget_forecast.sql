{#- The budget forecast per municipality and perceel of a reported region for the report quarter's year, as of that
    quarter. As of a year's first quarter the mart also holds the year before (its declarations still come in); the
    report shows the quarter's year only. -#}
with budget_forecast as (
    select * from {{ ref('public_budget_forecast') }}
),

dim_municipality as (
    select * from {{ ref('public_dim_municipality') }}
),

rpt_periods as (
    select * from {{ ref('rpt_periods') }}
),

final as (
    select
        rpt_periods.region_code, rpt_periods.quarter,
        budget_forecast.municipality_code,
        coalesce(dim_municipality.municipality_name, budget_forecast.municipality_code) as municipality_name,
        budget_forecast.perceel,
        budget_forecast.year,
        budget_forecast.as_of_period,
        budget_forecast.realised_cents_ytd,
        budget_forecast.forecast_year_end_cents,
        budget_forecast.budget_cents,
        budget_forecast.expected_overrun_cents,
        budget_forecast.boundary_status,
        budget_forecast.forecast_error_bound_cents,
        cast(row_number() over (
            partition by rpt_periods.region_code, rpt_periods.quarter
            order by budget_forecast.municipality_code, budget_forecast.perceel
        ) as integer) as row_order
    from budget_forecast
    inner join rpt_periods
        on budget_forecast.region_code = rpt_periods.region_code
        and budget_forecast.as_of_period = rpt_periods.quarter
        and budget_forecast.year = rpt_periods.year
    left join dim_municipality on budget_forecast.municipality_code = dim_municipality.municipality_code
)

select * from final

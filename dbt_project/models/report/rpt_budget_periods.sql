{#- The quarters as of which a reported region has a budget forecast for the report quarter's year: a report without
    a forecast as of its own quarter names the ones there are. -#}
with budget_forecast as (
    select * from {{ ref('public_budget_forecast') }}
),

rpt_periods as (
    select * from {{ ref('rpt_periods') }}
),

final as (
    select distinct
        rpt_periods.region_code,
        rpt_periods.quarter,
        budget_forecast.as_of_period
    from budget_forecast
    inner join rpt_periods
        on budget_forecast.region_code = rpt_periods.region_code
        and budget_forecast.year = rpt_periods.year
)

select * from final

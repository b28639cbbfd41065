{#- The region's totals of its budget forecast rows in a report (rpt_budget_forecast) and how many of them breach
    the budget; a report without forecast rows has no totals row. -#}
with rpt_budget_forecast as (
    select * from {{ ref('rpt_budget_forecast') }}
),

final as (
    select
        region_code,
        quarter,
        cast(coalesce(sum(realised_cents_ytd), 0) as bigint) as realised_cents_ytd,
        cast(coalesce(sum(forecast_year_end_cents), 0) as bigint) as forecast_year_end_cents,
        cast(coalesce(sum(budget_cents), 0) as bigint) as budget_cents,
        cast(coalesce(sum(expected_overrun_cents), 0) as bigint) as expected_overrun_cents,
        cast(sum(case when boundary_status = 'breach' then 1 else 0 end) as integer) as breaches
    from rpt_budget_forecast
    group by region_code, quarter
)

select * from final

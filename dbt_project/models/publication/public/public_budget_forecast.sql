{#- The year-end forecast per municipality and budget line against its budget (cents). -#}
select
    municipality_code, region_code, perceel, year, as_of_period, realised_cents_ytd, forecast_year_end_cents,
    budget_cents, expected_overrun_cents, boundary_status, forecast_error_bound_cents, months_projected
from {{ ref('budget_forecast') }}

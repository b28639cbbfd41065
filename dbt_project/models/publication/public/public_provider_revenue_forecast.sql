{#- The year-end revenue forecast per provider against its cap (cents). -#}
select
    provider_agb, year, as_of_period, revenue_cents_ytd, forecast_year_end_cents, cap_cents,
    forecast_share_of_cap, early_warning, forecast_error_bound_cents
from {{ ref('provider_revenue_forecast') }}

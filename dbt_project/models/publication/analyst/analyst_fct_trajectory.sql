{#- One row per care trajectory, keyed by pseudonymous client: for the region's own analysts only. -#}
select
    trajectory_id, client_key, municipality_code, provider_agb, care_form_code, product_category, start_date,
    end_date, end_reason_code, duration_days, referrer_type_code, started_in_crisis, cost_cents
from {{ ref('fct_trajectory') }}

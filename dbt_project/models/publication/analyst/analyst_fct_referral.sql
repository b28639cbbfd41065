{#- One row per allocation with its referrer and lead times, by pseudonymous client: analysts only. -#}
select
    allocation_number, client_key, municipality_code, provider_agb, product_code, care_form_code,
    referrer_type_code, requested_on, allocated_on, started_on, days_request_to_allocation,
    days_allocation_to_start
from {{ ref('fct_referral') }}

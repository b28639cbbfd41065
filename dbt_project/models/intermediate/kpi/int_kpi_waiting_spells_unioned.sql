{#- What may wait at a period's end, one row each: the JW315 requests (latest version, int_referral_requests_latest)
    with the first JW301 that answered them (same provider, client and ReferentieAanbieder, as
    int_allocations_referred links them), and the JW301 allocations with their first JW305 start and their Einddatum.
    waiting_key names the request's JW315 record (file_sha256:source_record) or the allocation (ToewijzingNummer). Counted by
    int_kpi_waiting_counted, traced by the audit tier. -#}
with answers as (
    select provider_agb, client_key, provider_reference, min(allocated_on) as answered_on
    from {{ ref('int_allocations_referred') }}
    where provider_reference is not null
    group by provider_agb, client_key, provider_reference
),

municipalities as (
    select municipality_code, region_code from {{ ref('dim_municipality') }}
),

requests as (
    select
        latest_requests.municipality_code,
        municipalities.region_code,
        latest_requests.provider_agb,
        dim_product.care_form_code,
        'request' as waiting_kind,
        latest_requests.file_sha256 || ':' || cast(latest_requests.source_record as varchar) as waiting_key,
        latest_requests.requested_on as waiting_since,
        answers.answered_on as waiting_until,
        cast(null as date) as valid_to
    from {{ ref('int_referral_requests_latest') }} as latest_requests
    inner join municipalities
        on latest_requests.municipality_code = municipalities.municipality_code
    left join answers
        on latest_requests.provider_agb = answers.provider_agb
        and latest_requests.client_key = answers.client_key
        and latest_requests.provider_reference = answers.provider_reference
    left join {{ ref('dim_product') }} as dim_product
        on latest_requests.product_code = dim_product.product_code
),

allocations as (
    select
        fct_referral.municipality_code,
        municipalities.region_code,
        fct_referral.provider_agb,
        fct_referral.care_form_code,
        'allocation' as waiting_kind,
        cast(fct_referral.allocation_number as varchar) as waiting_key,
        fct_referral.allocated_on as waiting_since,
        fct_referral.started_on as waiting_until,
        int_allocations_referred.valid_to
    from {{ ref('fct_referral') }} as fct_referral
    inner join {{ ref('int_allocations_referred') }} as int_allocations_referred
        on fct_referral.allocation_number = int_allocations_referred.allocation_number
    inner join municipalities
        on fct_referral.municipality_code = municipalities.municipality_code
),

final as (
    select * from requests
    union all
    select * from allocations
)

select * from final

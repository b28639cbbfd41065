{#- Waiting at each period's end (its last day, with what the warehouse knows: in a period still in progress what
    has not been answered or started by the data's last day counts as still waiting then), beside the lead-time means
    of int_kpi_referrals_counted. requests_waiting: the JW315 requests (latest version, int_referral_requests_latest)
    made at least var('waiting_days') (default 28) days before it that no JW301 answered by then (same provider,
    client and ReferentieAanbieder, as int_allocations_referred links them). allocations_waiting: the JW301
    allocations made at least that many days before it without a JW305 start by then and still valid (no Einddatum
    before it). -#}
{%- set waiting_days = var('waiting_days', 28) %}
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
        fct_referral.allocated_on as waiting_since,
        fct_referral.started_on as waiting_until,
        int_allocations_referred.valid_to
    from {{ ref('fct_referral') }} as fct_referral
    inner join {{ ref('int_allocations_referred') }} as int_allocations_referred
        on fct_referral.allocation_number = int_allocations_referred.allocation_number
    inner join municipalities
        on fct_referral.municipality_code = municipalities.municipality_code
),

waiting as (
    select * from requests
    union all
    select * from allocations
),

scoped as (
    {{ kpi_scopes('waiting', ['waiting_kind', 'waiting_since', 'waiting_until', 'valid_to']) }}
),

periods as (
    select period_type, period, last_day as counted_on from {{ ref('int_kpi_periods') }}
),

counts as (
    select
        scoped.scope_type,
        scoped.scope_code,
        periods.period_type,
        periods.period,
        count(case when scoped.waiting_kind = 'request' then 1 end) as requests,
        count(case when scoped.waiting_kind = 'allocation' then 1 end) as allocations
    from scoped
    inner join periods
        on scoped.waiting_since <= {{ dbt.dateadd('day', -waiting_days, 'periods.counted_on') }}
        and (scoped.waiting_until is null or scoped.waiting_until > periods.counted_on)
        and (scoped.valid_to is null or scoped.valid_to >= periods.counted_on)
    {{ kpi_covered_join('scoped', 'periods') }}
    group by scoped.scope_type, scoped.scope_code, periods.period_type, periods.period
),

final as (
    {{ kpi_level_rows('counts', [('requests_waiting', 'requests'), ('allocations_waiting', 'allocations')]) }}
)

select * from final

{#- Which allocations (marts.fct_referral) and JW315 requests make each allocation-based KPI value, per published
    scope and period: allocations, the referrer shares and lead times (int_kpi_referrals_counted), what waits at the
    period's end (int_kpi_waiting_counted) and the volume realisation (int_kpi_realisation_compared). A request's
    fact_key is its latest JW315 record, file_sha256:source_record (fact_table jw315_request). A view, selected one
    value at a time. -#}
{{ config(materialized='view') }}
with scoped as (
    -- The allocations as int_kpi_referrals_counted scopes them.
    {{ kpi_scopes(ref('int_kpi_referrals_described'), [
        'allocation_number', 'referrer_type_code', 'allocated_on', 'days_allocation_to_start',
        'days_request_to_allocation'
    ]) }}
),

periods as (
    select period_type, period, first_day, last_day from {{ ref('int_kpi_periods') }}
),

in_period as (
    select scoped.*, periods.period_type, periods.period
    from scoped
    {{ kpi_periods_join('scoped', 'allocated_on') }}
    where scoped.scope_type in {{ published_kpi_scope_types() }}
),

-- Every referrer type has a share in every scope and period with allocations, zero included.
by_referrer as (
    select in_period.*, dim_referrer.referrer_type_code as share_referrer_type_code
    from in_period
    cross join {{ ref('dim_referrer') }} as dim_referrer
),

waiting as (
    select waiting_kind, waiting_key, municipality_code, region_code, provider_agb, care_form_code, waiting_since,
        waiting_until, valid_to
    from {{ ref('int_kpi_waiting_spells_unioned') }}
),

waiting_scoped as (
    {{ kpi_scopes('waiting', ['waiting_kind', 'waiting_key', 'waiting_since', 'waiting_until', 'valid_to']) }}
),

waiting_at_end as (
    select waiting_scoped.*, periods.period_type, periods.period
    from waiting_scoped
    {{ kpi_waiting_periods_join('waiting_scoped', 'last_day') }}
    where waiting_scoped.scope_type in {{ published_kpi_scope_types() }}
),

realised as (
    select allocation_number, municipality_code, region_code, provider_agb, care_form_code, period_type, period,
        allocated_volume, declared_volume
    from {{ ref('int_kpi_allocations_realised') }}
),

realised_scoped as (
    {{ kpi_scopes('realised', ['allocation_number', 'period_type', 'period', 'allocated_volume', 'declared_volume']) }}
),

realised_covered as (
    select realised_scoped.*
    from realised_scoped
    {{ kpi_covered_join('realised_scoped', 'realised_scoped') }}
    where realised_scoped.scope_type in {{ published_kpi_scope_types() }}
),

final as (
    {{ kpi_contribution_rows('in_period', 'fct_referral', 'allocation_number', [
        ("'allocations'", 'numerator', 'allocation_number', none, 'true'),
        ("'mean_days_request_to_allocation'", 'numerator', 'allocation_number', 'days_request_to_allocation',
            'days_request_to_allocation is not null'),
        ("'mean_days_request_to_allocation'", 'denominator', 'allocation_number', none,
            'days_request_to_allocation is not null'),
        ("'mean_days_allocation_to_start'", 'numerator', 'allocation_number', 'days_allocation_to_start',
            'days_allocation_to_start is not null'),
        ("'mean_days_allocation_to_start'", 'denominator', 'allocation_number', none,
            'days_allocation_to_start is not null'),
    ]) }}
    union all
    {{ kpi_contribution_rows('by_referrer', 'fct_referral', 'allocation_number', [
        ("'referrer_share_' || share_referrer_type_code", 'numerator', 'allocation_number', none,
            'referrer_type_code = share_referrer_type_code'),
        ("'referrer_share_' || share_referrer_type_code", 'denominator', 'allocation_number', none, 'true'),
    ]) }}
    union all
    {{ kpi_contribution_rows('waiting_at_end', 'fct_referral', 'waiting_key', [
        ("'allocations_waiting'", 'numerator', 'waiting_key', none, "waiting_kind = 'allocation'"),
    ]) }}
    union all
    {{ kpi_contribution_rows('waiting_at_end', 'jw315_request', 'waiting_key', [
        ("'requests_waiting'", 'numerator', 'waiting_key', none, "waiting_kind = 'request'"),
    ]) }}
    union all
    {{ kpi_contribution_rows('realised_covered', 'fct_referral', 'allocation_number', [
        ("'realisation_share'", 'numerator', 'allocation_number', 'declared_volume', 'true'),
        ("'realisation_share'", 'denominator', 'allocation_number', 'allocated_volume', 'true'),
    ]) }}
)

select * from final

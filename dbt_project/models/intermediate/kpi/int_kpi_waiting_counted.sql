{#- Waiting at each period's end (its last day, with what the warehouse knows: in a period still in progress what
    has not been answered or started by the data's last day counts as still waiting then), beside the lead-time means
    of int_kpi_referrals_counted. requests_waiting: the JW315 requests (latest version, int_referral_requests_latest)
    made at least var('waiting_days') (default 28) days before it that no JW301 answered by then (same provider,
    client and ReferentieAanbieder, as int_allocations_referred links them). allocations_waiting: the JW301
    allocations made at least that many days before it without a JW305 start by then and still valid (no Einddatum
    before it). -#}
with waiting as (
    select * from {{ ref('int_kpi_waiting_spells_unioned') }}
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
    {{ kpi_waiting_periods_join('scoped', 'counted_on') }}
    group by scoped.scope_type, scoped.scope_code, periods.period_type, periods.period
),

final as (
    {{ kpi_level_rows('counts', [('requests_waiting', 'requests'), ('allocations_waiting', 'allocations')]) }}
)

select * from final

{#- Allocation KPIs per scope and period of the allocation date: allocations, the share per referrer type (COD327)
    and the lead times request -> allocation -> start, the waiting-time proxy. -#}
with referrals as (
    select
        allocation_number, municipality_code, region_code, provider_agb, care_form_code, referrer_type_code,
        allocated_on, days_request_to_allocation, days_allocation_to_start
    from {{ ref('int_kpi_referrals_described') }}
),

scoped as (
    {{ kpi_scopes('referrals', [
        'allocation_number', 'referrer_type_code', 'allocated_on', 'days_request_to_allocation',
        'days_allocation_to_start'
    ]) }}
),

periods as (
    select * from {{ ref('int_kpi_periods') }}
),

in_period as (
    select
        scoped.*,
        periods.period_type,
        periods.period
    from scoped
    {{ kpi_periods_join('scoped', 'allocated_on') }}
),

totals as (
    select
        scope_type,
        scope_code,
        period_type,
        period,
        count(*) as allocations,
        sum(days_request_to_allocation) as days_to_allocation,
        count(days_request_to_allocation) as requested,
        sum(days_allocation_to_start) as days_to_start,
        count(days_allocation_to_start) as started
    from in_period
    group by scope_type, scope_code, period_type, period
),

referrer_types as (
    select referrer_type_code from {{ ref('dim_referrer') }}
),

by_referrer as (
    select
        totals.scope_type,
        totals.scope_code,
        totals.period_type,
        totals.period,
        referrer_types.referrer_type_code,
        totals.allocations,
        count(in_period.allocation_number) as referred
    from totals
    cross join referrer_types
    left join in_period
        on {{ same_scope_period('totals', 'in_period') }}
        and referrer_types.referrer_type_code = in_period.referrer_type_code
    group by
        totals.scope_type, totals.scope_code, totals.period_type, totals.period,
        referrer_types.referrer_type_code, totals.allocations
),

final as (
    {{ kpi_level_rows('totals', [('allocations', 'allocations')]) }}
    union all
    select 'referrer_share_' || referrer_type_code, scope_type, scope_code, period_type, period,
        referred, allocations, 100.0 * referred / allocations
    from by_referrer
    union all
    {{ kpi_ratio_rows('totals', [
        ('mean_days_request_to_allocation', 'days_to_allocation', 'requested', '1.0'),
        ('mean_days_allocation_to_start', 'days_to_start', 'started', '1.0'),
    ]) }}
)

select * from final

{#- Duration and outcome KPIs over merged jeugdhulp trajectories per scope and period (justice care forms have
    their own KPIs). Duration counts ended trajectories only (CBS). End reasons: CBS counts the five reasons of its
    protocol (JZ588 31-35); the administrative iJw reasons (20, 36-39) are reported apart, not in the denominator
    of ended-according-to-plan and early termination. No new start within 6 months: any trajectory of the same
    client, at any provider and in any care form, starting after the end and at most 6 months later; only ends whose
    6 months lie inside the data count. Repeat care (CBS herhaald beroep): the client had jeugdhulp in the 5 years
    before the start, with at least one whole day without care before it; a start that follows on (care the day
    before, at any provider) is no repeat. -#}
with outcomes as (
    select * from {{ ref('int_kpi_outcomes_flagged') }}
),

periods as (
    select * from {{ ref('int_kpi_periods') }}
),

scoped as (
    {{ kpi_scopes('outcomes', [
        'start_date', 'end_date', 'end_reason_code', 'duration_days', 'has_follow_up',
        'restarted_within_6_months', 'is_repeat'
    ]) }}
),

ended as (
    select
        scoped.scope_type,
        scoped.scope_code,
        periods.period_type,
        periods.period,
        count(*) as ended,
        sum(scoped.duration_days) as duration_days,
        sum(case when scoped.duration_days >= 365 then 1 else 0 end) as long_durations,
        -- CBS's five reasons (protocol 3.7): volgens plan and the four early ends.
        sum(case when scoped.end_reason_code in ('31', '32', '33', '34', '35') then 1 else 0 end) as cbs_reasons,
        sum(case when scoped.end_reason_code in ('20', '36', '37', '38', '39') then 1 else 0 end) as administrative,
        sum(case when scoped.end_reason_code = '31' then 1 else 0 end) as according_to_plan,
        sum(case when scoped.end_reason_code in ('32', '33') then 1 else 0 end) as early_terminations,
        sum(case when scoped.has_follow_up then 1 else 0 end) as followed_up,
        sum(case when scoped.has_follow_up and not scoped.restarted_within_6_months then 1 else 0 end)
            as no_new_start
    from scoped
    inner join periods
        on scoped.end_date between periods.first_day and periods.last_day
    {{ kpi_covered_join('scoped', 'periods') }}
    group by scoped.scope_type, scoped.scope_code, periods.period_type, periods.period
),

started as (
    select
        scoped.scope_type,
        scoped.scope_code,
        periods.period_type,
        periods.period,
        count(*) as started,
        sum(case when scoped.is_repeat then 1 else 0 end) as repeats
    from scoped
    inner join periods
        on scoped.start_date between periods.first_day and periods.last_day
    {{ kpi_covered_join('scoped', 'periods') }}
    group by scoped.scope_type, scoped.scope_code, periods.period_type, periods.period
),

final as (
    select 'mean_duration_days_ended' as kpi_id, scope_type, scope_code, period_type, period,
        duration_days as numerator, ended as denominator, 1.0 * duration_days / ended as value
    from ended
    union all
    select 'ended_long_duration_share', scope_type, scope_code, period_type, period,
        long_durations, ended, 100.0 * long_durations / ended
    from ended
    union all
    select 'ended_according_to_plan_share', scope_type, scope_code, period_type, period,
        according_to_plan, cbs_reasons, 100.0 * according_to_plan / cbs_reasons
    from ended
    where cbs_reasons > 0
    union all
    select 'early_termination_share', scope_type, scope_code, period_type, period,
        early_terminations, cbs_reasons, 100.0 * early_terminations / cbs_reasons
    from ended
    where cbs_reasons > 0
    union all
    select 'ended_administrative_share', scope_type, scope_code, period_type, period,
        administrative, ended, 100.0 * administrative / ended
    from ended
    union all
    select 'no_new_start_6m_share', scope_type, scope_code, period_type, period,
        no_new_start, followed_up, 100.0 * no_new_start / followed_up
    from ended
    where followed_up > 0
    union all
    select 'repeat_care_share', scope_type, scope_code, period_type, period,
        repeats, started, 100.0 * repeats / started
    from started
)

select * from final

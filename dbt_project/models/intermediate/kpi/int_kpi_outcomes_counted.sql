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
    {{ kpi_periods_join('scoped', 'end_date') }}
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
    {{ kpi_periods_join('scoped', 'start_date') }}
    group by scoped.scope_type, scoped.scope_code, periods.period_type, periods.period
),

final as (
    {{ kpi_ratio_rows('ended', [
        ('mean_duration_days_ended', 'duration_days', 'ended', '1.0'),
        ('ended_long_duration_share', 'long_durations', 'ended', '100.0'),
        ('ended_according_to_plan_share', 'according_to_plan', 'cbs_reasons', '100.0'),
        ('early_termination_share', 'early_terminations', 'cbs_reasons', '100.0'),
        ('ended_administrative_share', 'administrative', 'ended', '100.0'),
        ('no_new_start_6m_share', 'no_new_start', 'followed_up', '100.0'),
    ]) }}
    union all
    {{ kpi_ratio_rows('started', [('repeat_care_share', 'repeats', 'started', '100.0')]) }}
)

select * from final

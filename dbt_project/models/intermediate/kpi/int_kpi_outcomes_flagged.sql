{#- Merged jeugdhulp trajectories (justice care forms have their own KPIs) with the outcome flags the outcome KPIs
    count (int_kpi_outcomes_counted) and the audit tier traces (audit_kpi_trajectory_contributions). No new start
    within 6 months: any trajectory of the same client, at any provider and in any care form, starting after the end
    and at most 6 months later; has_follow_up when those 6 months lie inside the data. Repeat care (CBS herhaald
    beroep): the client had jeugdhulp in the 5 years before the start, with at least one whole day without care before
    it; a start that follows on (care the day before, at any provider) is no repeat. -#}
with trajectories as (
    select
        trajectory_id, client_key, municipality_code, region_code, provider_agb, care_form_code, start_date, end_date,
        end_reason_code, duration_days
    from {{ ref('int_kpi_trajectories_described') }}
    where cbs_care_domain = 'jeugdhulp'
),

horizon as (
    select max(data_last_day) as data_last_day from {{ ref('int_kpi_periods') }}
),

followed_up as (
    select
        trajectories.trajectory_id,
        {{ dbt.dateadd('month', 6, 'trajectories.end_date') }} <= horizon.data_last_day as has_follow_up,
        exists(
            select 1
            from trajectories as later
            where later.client_key = trajectories.client_key
                and later.start_date > trajectories.end_date
                and later.start_date <= {{ dbt.dateadd('month', 6, 'trajectories.end_date') }}
        ) as restarted_within_6_months
    from trajectories
    cross join horizon
    where trajectories.end_date is not null
),

repeats as (
    select
        trajectories.trajectory_id,
        not exists (
            select 1
            from trajectories as running
            where running.client_key = trajectories.client_key
                and running.start_date < trajectories.start_date
                and (
                    running.end_date is null
                    or running.end_date >= {{ dbt.dateadd('day', -1, 'trajectories.start_date') }}
                )
        )
        and exists (
            select 1
            from trajectories as earlier
            where earlier.client_key = trajectories.client_key
                and earlier.end_date <= {{ dbt.dateadd('day', -2, 'trajectories.start_date') }}
                and earlier.end_date >= {{ dbt.dateadd('year', -5, 'trajectories.start_date') }}
        ) as is_repeat
    from trajectories
),

final as (
    select
        trajectories.*,
        followed_up.has_follow_up,
        followed_up.restarted_within_6_months,
        repeats.is_repeat
    from trajectories
    left join followed_up
        on trajectories.trajectory_id = followed_up.trajectory_id
    inner join repeats
        on trajectories.trajectory_id = repeats.trajectory_id
)

select * from final

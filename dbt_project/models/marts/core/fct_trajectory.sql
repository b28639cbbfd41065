with trajectories as (
    select * from {{ ref('int_trajectories_merged') }}
),

episode_map as (
    select * from {{ ref('int_trajectory_episodes_mapped') }}
),

declared as (
    select * from {{ ref('fct_declaration_line') }}
),

cost_per_trajectory as (
    select
        episode_map.trajectory_id,
        cast(sum(declared.amount_cents) as bigint) as cost_cents
    from episode_map
    inner join declared
        on episode_map.allocation_number = declared.allocation_number
        and episode_map.product_code = declared.product_code
    group by episode_map.trajectory_id
),

final as (
    select
        trajectories.trajectory_id,
        trajectories.client_key,
        trajectories.municipality_code,
        trajectories.provider_agb,
        trajectories.care_form_code,
        trajectories.product_category,
        trajectories.start_date,
        trajectories.end_date,
        trajectories.end_reason_code,
        {{ days_between('trajectories.start_date', 'trajectories.end_date') }} as duration_days,
        trajectories.referrer_type_code,
        trajectories.started_in_crisis,
        coalesce(cost_per_trajectory.cost_cents, 0) as cost_cents
    from trajectories
    left join cost_per_trajectory
        on trajectories.trajectory_id = cost_per_trajectory.trajectory_id
)

select * from final

{#- Which trajectory each care episode (allocation and product) belongs to, for costs per trajectory. -#}
with episodes as (
    select * from {{ ref('int_care_episodes_applied') }}
),

trajectories as (
    select * from {{ ref('int_trajectories_merged') }}
),

final as (
    select
        trajectories.trajectory_id,
        episodes.allocation_number,
        episodes.product_code
    from episodes
    inner join trajectories
        on episodes.client_key = trajectories.client_key
        and episodes.provider_agb = trajectories.provider_agb
        and episodes.care_form_code = trajectories.care_form_code
        and episodes.start_date >= trajectories.start_date
        and (trajectories.end_date is null or episodes.start_date <= trajectories.end_date)
)

select * from final

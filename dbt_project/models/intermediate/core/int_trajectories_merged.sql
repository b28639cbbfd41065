{#- Trajectories by the CBS rule: a trajectory is an uninterrupted period ("aaneengesloten periode") of care for one
    client at one provider in one care form. Episodes merge when the next starts on or before the day after the latest
    end so far (an open episode runs on past everything after it): an allocation ended for a change request (JZ588
    36/37) and renewed the next day is one trajectory; a gap of at least one day without care starts a new one. The
    trajectory runs from the first start to the last end. The first episode gives the municipality, referrer, product
    category and crisis flag; the episode that ends last gives the end reason. -#}
{%- set open_end = "cast('9999-12-31' as date)" -%}
{#- One trajectory: the episodes of one client, provider and care form between two gaps. -#}
{%- set island_key = ['client_key', 'provider_agb', 'care_form_code', 'island'] -%}
with episodes as (
    select
        *,
        coalesce(end_date, {{ open_end }}) as end_or_open
    from {{ ref('int_care_episodes_applied') }}
    where care_form_code is not null
),

with_previous_end as (
    select
        *,
        max(end_or_open) over (
            partition by client_key, provider_agb, care_form_code
            order by start_date, end_or_open, allocation_number, product_code
            rows between unbounded preceding and 1 preceding
        ) as previous_latest_end
    from episodes
),

islands as (
    select
        *,
        -- A start on the day after the latest end continues the trajectory: only a whole day without care breaks it.
        sum(
            case
                when previous_latest_end is null
                    or {{ dbt.dateadd('day', -1, 'start_date') }} > previous_latest_end then 1
                else 0
            end
        ) over (
            partition by client_key, provider_agb, care_form_code
            order by start_date, end_or_open, allocation_number, product_code
            rows between unbounded preceding and current row
        ) as island
    from with_previous_end
),

ranked as (
    select
        *,
        row_number() over (
            partition by {{ island_key | join(', ') }}
            order by start_date, allocation_number, product_code
        ) as rank_first,
        row_number() over (
            partition by {{ island_key | join(', ') }}
            order by end_or_open desc, allocation_number desc nulls last, product_code desc nulls last
        ) as rank_last
    from islands
),

bounds as (
    select
        {{ island_key | join(', ') }},
        min(start_date) as start_date,
        max(end_or_open) as end_or_open
    from ranked
    group by {{ island_key | join(', ') }}
),

final as (
    select
        {{ dbt.hash(dbt.concat([
            "bounds.client_key", "'|'", "bounds.provider_agb", "'|'", "bounds.care_form_code", "'|'",
            "cast(bounds.start_date as varchar)"
        ])) }} as trajectory_id,
        bounds.client_key,
        first_episode.municipality_code,
        bounds.provider_agb,
        bounds.care_form_code,
        first_episode.product_category,
        bounds.start_date,
        case when bounds.end_or_open = {{ open_end }} then null else bounds.end_or_open end as end_date,
        case when bounds.end_or_open = {{ open_end }} then null else last_episode.end_reason_code end
            as end_reason_code,
        first_episode.referrer_type_code,
        first_episode.product_category = '46' as started_in_crisis,
        bounds.island
    from bounds
    inner join ranked as first_episode
        on {{ same_columns('bounds', 'first_episode', island_key) }}
        and first_episode.rank_first = 1
    inner join ranked as last_episode
        on {{ same_columns('bounds', 'last_episode', island_key) }}
        and last_episode.rank_last = 1
)

select * from final

with allocations as (
    select * from {{ ref('int_allocations_referred') }}
),

episodes as (
    select * from {{ ref('int_care_episodes_applied') }}
),

products as (
    select * from {{ ref('dim_product') }}
),

starts as (
    select allocation_number, min(start_date) as started_on
    from episodes
    group by allocation_number
),

final as (
    select
        allocations.allocation_number,
        allocations.client_key,
        allocations.municipality_code,
        allocations.provider_agb,
        allocations.product_code,
        products.care_form_code,
        allocations.referrer_type_code,
        allocations.requested_on,
        allocations.allocated_on,
        starts.started_on,
        {{ days_between('allocations.requested_on', 'allocations.allocated_on') }} as days_request_to_allocation,
        -- Care started before its allocation was made (an allocation made afterwards) waited for no allocation.
        case
            when starts.started_on >= allocations.allocated_on
                then {{ days_between('allocations.allocated_on', 'starts.started_on') }}
        end as days_allocation_to_start
    from allocations
    left join starts
        on allocations.allocation_number = starts.allocation_number
    left join products
        on allocations.product_code = products.product_code
)

select * from final

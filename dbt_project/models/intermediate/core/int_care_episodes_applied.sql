{#- One care episode per started allocation and product: the effective JW305 start and JW307 stop.
    A delivery with StatusAanlevering 3 withdraws every earlier delivery (by message date, then file, line and
    record) with the same allocation, product and start date; of the deliveries left, the latest counts. A stop ends
    the start with its Begindatum (iJw keys a start by client, allocation and Begindatum, TR069): the stop of an
    earlier start does not end care started again after it. -#}
with starts as (
    select * from {{ ref('stg_ijw__start_events') }}
),

stops as (
    select * from {{ ref('stg_ijw__stop_events') }}
),

allocations as (
    select * from {{ ref('int_allocations_referred') }}
),

products as (
    select * from {{ ref('dim_product') }}
),

valid_starts as (
    {{ latest_valid_deliveries('starts', ['allocation_number', 'product_code']) }}
),

valid_stops as (
    {{ latest_valid_deliveries('stops', ['allocation_number', 'product_code', 'start_date']) }}
),

final as (
    select
        valid_starts.allocation_number,
        valid_starts.product_code,
        valid_starts.product_category,
        products.care_form_code,
        valid_starts.client_key,
        valid_starts.municipality_code,
        valid_starts.provider_agb,
        valid_starts.start_date,
        valid_stops.end_date,
        valid_stops.end_reason_code,
        coalesce(allocations.referrer_type_code, '01') as referrer_type_code,
        allocations.allocated_on,
        allocations.requested_on
    from valid_starts
    left join valid_stops
        on valid_starts.allocation_number = valid_stops.allocation_number
        and coalesce(valid_starts.product_code, '') = coalesce(valid_stops.product_code, '')
        and valid_starts.start_date = valid_stops.start_date
        and valid_stops.delivery_rank = 1
    left join allocations
        on valid_starts.allocation_number = allocations.allocation_number
    left join products
        on valid_starts.product_code = products.product_code
    where valid_starts.delivery_rank = 1
)

select * from final

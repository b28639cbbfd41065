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
    select
        starts.*,
        row_number() over (
            partition by starts.allocation_number, starts.product_code
            -- A message written on one line gives each record line 1: its position in the file settles such a tie,
            -- and a record's identity (file_sha256, source_record) makes the order total.
            order by
                starts.message_date desc, starts.file_path desc, starts.source_line desc, starts.source_record desc,
                starts.file_sha256 desc
        ) as delivery_rank
    from starts
    where starts.delivery_status in ('1', '2')
        and not exists (
            select 1
            from starts as withdrawals
            where withdrawals.delivery_status = '3'
                and withdrawals.allocation_number = starts.allocation_number
                and coalesce(withdrawals.product_code, '') = coalesce(starts.product_code, '')
                and withdrawals.start_date = starts.start_date
                and (
                    withdrawals.message_date, withdrawals.file_path, withdrawals.source_line, withdrawals.source_record
                ) > (starts.message_date, starts.file_path, starts.source_line, starts.source_record)
        )
),

valid_stops as (
    select
        stops.*,
        row_number() over (
            partition by stops.allocation_number, stops.product_code, stops.start_date
            order by
                stops.message_date desc, stops.file_path desc, stops.source_line desc, stops.source_record desc,
                stops.file_sha256 desc
        ) as delivery_rank
    from stops
    where stops.delivery_status in ('1', '2')
        and not exists (
            select 1
            from stops as withdrawals
            where withdrawals.delivery_status = '3'
                and withdrawals.allocation_number = stops.allocation_number
                and coalesce(withdrawals.product_code, '') = coalesce(stops.product_code, '')
                and withdrawals.start_date = stops.start_date
                and (
                    withdrawals.message_date, withdrawals.file_path, withdrawals.source_line, withdrawals.source_record
                ) > (stops.message_date, stops.file_path, stops.source_line, stops.source_record)
        )
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

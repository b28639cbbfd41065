{#- One row per allocation (ToewijzingNummer) with its referrer. An allocation that answers a JW315 request (same
    provider, client and ReferentieAanbieder) takes the request's referrer and date; one without was referred by the
    municipality's own access team (COD327 01). An allocation re-sent with a change keeps its latest version, and the
    date it was first allocated on: a change is dated when it is made, after the start it may follow, and the lead
    times count from the allocation itself. -#}
with allocations as (
    select * from {{ ref('stg_ijw__allocations') }}
),

allocation_versions as (
    select
        allocations.*,
        row_number() over (
            partition by allocations.allocation_number
            -- A message written on one line gives each record line 1: its position in the file settles such a tie,
            -- and a record's identity (file_sha256, source_record) makes the order total.
            order by
                allocations.message_date desc,
                allocations.file_path desc,
                allocations.source_line desc,
                allocations.source_record desc,
                allocations.file_sha256 desc
        ) as version_rank,
        min(allocations.allocated_on) over (partition by allocations.allocation_number) as first_allocated_on
    from allocations
),

latest_allocations as (
    select * from allocation_versions where version_rank = 1
),

latest_requests as (
    select * from {{ ref('int_referral_requests_latest') }}
),

final as (
    select
        latest_allocations.allocation_number,
        latest_allocations.client_key,
        latest_allocations.municipality_code,
        latest_allocations.provider_agb,
        latest_allocations.provider_reference,
        latest_allocations.product_category,
        latest_allocations.product_code,
        latest_allocations.first_allocated_on as allocated_on,
        latest_allocations.valid_from,
        latest_allocations.valid_to,
        latest_allocations.volume,
        latest_allocations.unit_code,
        latest_allocations.frequency_code,
        coalesce(latest_requests.referrer_type_code, '01') as referrer_type_code,
        latest_requests.requested_on,
        latest_allocations.file_sha256,
        latest_allocations.source_line,
        latest_allocations.source_record
    from latest_allocations
    left join latest_requests
        on latest_allocations.provider_agb = latest_requests.provider_agb
        and latest_allocations.client_key = latest_requests.client_key
        and latest_allocations.provider_reference = latest_requests.provider_reference
)

select * from final

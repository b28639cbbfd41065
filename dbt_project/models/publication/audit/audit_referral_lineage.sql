{#- Row-level lineage of marts.fct_referral: every JW301 record of the allocation (each version) and every JW315
    record of the request it answers (same provider, client and ReferentieAanbieder, as int_allocations_referred links
    them), with the file (sha256 and path), its line and its position among the file's records. -#}
with referrals as (
    select allocation_number, client_key, provider_agb, provider_reference
    from {{ ref('int_allocations_referred') }}
),

allocation_records as (
    select
        referrals.allocation_number,
        'JW301' as message_type,
        cast(allocations.allocation_number as varchar) || '|' || allocations.product_code as record_id,
        allocations.file_sha256,
        allocations.file_path,
        allocations.source_line,
        allocations.source_record
    from referrals
    inner join {{ ref('stg_ijw__allocations') }} as allocations
        on referrals.allocation_number = allocations.allocation_number
),

request_records as (
    select
        referrals.allocation_number,
        'JW315' as message_type,
        requests.provider_agb || '|' || requests.provider_reference as record_id,
        requests.file_sha256,
        requests.file_path,
        requests.source_line,
        requests.source_record
    from referrals
    inner join {{ ref('stg_ijw__referral_requests') }} as requests
        on referrals.provider_agb = requests.provider_agb
        and referrals.client_key = requests.client_key
        and referrals.provider_reference = requests.provider_reference
),

final as (
    select * from allocation_records
    union all
    select * from request_records
)

select * from final

with source as (
    select * from {{ source('raw', 'ijw_allocations') }}
    where {{ within_data_cut('message_date') }}
),

renamed as (
    select
        client_key,
        cast(birth_year as integer) as birth_year,
        cast(birth_month as integer) as birth_month,
        gender_code,
        municipality_code,
        provider_agb,
        message_id,
        message_date,
        allocation_number,
        provider_reference,
        product_category,
        product_code,
        allocated_on,
        valid_from,
        valid_to,
        change_reason_code,
        volume,
        unit_code,
        frequency_code,
        budget_cents,
        source_line,
        source_record,
        file_path,
        file_sha256,
        ingested_at
    from source
)

select * from renamed

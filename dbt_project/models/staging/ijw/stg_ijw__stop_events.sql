with source as (
    select * from {{ source('raw', 'ijw_stop_events') }}
    where {{ within_data_cut('message_date') }}
),

renamed as (
    select
        client_key,
        municipality_code,
        provider_agb,
        message_id,
        message_date,
        allocation_number,
        product_category,
        product_code,
        allocation_valid_from,
        start_date,
        end_date,
        end_reason_code,
        delivery_status,
        source_line,
        source_record,
        file_path,
        file_sha256,
        ingested_at
    from source
)

select * from renamed

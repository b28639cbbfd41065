with source as (
    select * from {{ source('raw', 'ijw_declaration_lines') }}
    where {{ within_data_cut('declaration_date') }}
),

renamed as (
    select
        client_key,
        municipality_code,
        provider_agb,
        message_id,
        declaration_number,
        declaration_period_start,
        declaration_period_end,
        declaration_date,
        reference_number,
        previous_reference_number,
        cast(allocation_number as bigint) as allocation_number,
        product_category,
        product_code,
        period_start,
        period_end,
        cast(volume as bigint) as volume,
        unit_code,
        cast(tariff_cents as bigint) as tariff_cents,
        cast(amount_cents as bigint) as amount_cents,
        debit_credit,
        source_line,
        source_record,
        file_path,
        file_sha256,
        ingested_at
    from source
)

select * from renamed

with source as (
    select * from {{ source('raw', 'ijw_referral_requests') }}
    where {{ within_data_cut('requested_on') }}
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
        requested_on,
        provider_reference,
        decision_number,
        product_category,
        product_code,
        requested_valid_from,
        requested_valid_to,
        volume,
        unit_code,
        frequency_code,
        budget_cents,
        referrer_type_code,
        referrer_agb,
        source_line,
        source_record,
        file_path,
        file_sha256,
        ingested_at
    from source
)

select * from renamed

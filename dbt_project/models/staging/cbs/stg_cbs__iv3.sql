with source as (
    select * from {{ source('raw_cbs', 'cbs_iv3') }}
),

renamed as (
    select
        table_id,
        municipality_code,
        cast(year as integer) as year,
        status,
        taakveld_key,
        taakveld_code,
        taakveld_title,
        category,
        report_kind,
        amount_1e_no_data or amount_2e_no_data as has_geen_opgave,
        placement,
        cast(amount_cents as bigint) as amount_cents,
        source_record,
        file_path,
        file_sha256,
        ingested_at
    from source
)

select * from renamed

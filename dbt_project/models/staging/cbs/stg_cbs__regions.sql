with source as (
    select * from {{ source('raw_cbs', 'cbs_regions') }}
),

renamed as (
    select
        table_id,
        municipality_code,
        municipality_name,
        region_code,
        region_name,
        cast(year as integer) as year,
        status,
        source_record,
        file_path,
        file_sha256,
        ingested_at
    from source
)

select * from renamed

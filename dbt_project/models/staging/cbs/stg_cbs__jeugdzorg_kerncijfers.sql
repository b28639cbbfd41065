with source as (
    select * from {{ source('raw_cbs', 'cbs_jeugdzorg_kerncijfers') }}
),

renamed as (
    select
        table_id,
        scope_code,
        period_code,
        period_type,
        period,
        cast(year as integer) as year,
        status,
        category,
        measure_key as indicator,
        measure_title as indicator_title,
        unit,
        cast(value as double) as value,
        source_record,
        file_path,
        file_sha256,
        ingested_at
    from source
)

select * from renamed

with source as (
    select * from {{ source('raw_cbs', 'cbs_population') }}
),

renamed as (
    select
        {{ cbs_period_key() }},
        age_key,
        cast(age_years as integer) as age_years,
        cast(persons as bigint) as persons,
        source_record,
        file_path,
        file_sha256,
        ingested_at
    from source
)

select * from renamed

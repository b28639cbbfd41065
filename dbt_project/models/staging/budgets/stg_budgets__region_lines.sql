with source as (
    select * from {{ source('raw_budgets', 'budget_region_lines') }}
),

renamed as (
    select
        municipality_code,
        cast(year as integer) as year,
        perceel,
        cast(amount_cents as bigint) as amount_cents,
        note,
        source_line,
        file_path,
        file_sha256,
        ingested_at
    from source
)

select * from renamed

with municipalities as (
    select * from {{ ref('municipalities') }}
),

final as (
    select
        municipality_code,
        municipality_name,
        region_code
    from municipalities
)

select * from final

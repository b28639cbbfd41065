with municipalities as (
    select * from {{ ref('municipalities') }}
),

final as (
    select
        region_code,
        region_name,
        count(*) as municipality_count
    from municipalities
    group by region_code, region_name
)

select * from final

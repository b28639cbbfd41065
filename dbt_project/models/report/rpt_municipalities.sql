{#- The municipalities of each region with the name the report shows (the code where the seed has no name). -#}
with dim_municipality as (
    select * from {{ ref('public_dim_municipality') }}
),

final as (
    select
        region_code,
        municipality_code,
        coalesce(municipality_name, municipality_code) as municipality_name
    from dim_municipality
    where region_code is not null
)

select * from final

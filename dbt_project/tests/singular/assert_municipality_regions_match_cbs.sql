{{ config(severity='warn', meta={'dagster': {'ref': {'name': 'dim_municipality'}}}) }}
{#- The seed's municipality -> region mapping should agree with the latest CBS Gebieden in Nederland. A difference
    (a region change, a merger) is a warning for the maintainer of seeds/reference/municipalities.csv. -#}
with cbs as (
    select municipality_code, region_code, year
    from {{ ref('stg_cbs__regions') }}
    where year = (select max(editions.year) from {{ ref('stg_cbs__regions') }} as editions)
)

select municipalities.municipality_code, municipalities.region_code, cbs.region_code as cbs_region_code, cbs.year
from {{ ref('dim_municipality') }} as municipalities
inner join cbs
    on municipalities.municipality_code = cbs.municipality_code
where municipalities.region_code <> cbs.region_code

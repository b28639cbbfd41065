{#- The warehouse's municipalities (seed), plus every other municipality CBS Gebieden in Nederland names in its
    latest year, with the name and jeugdzorgregio CBS gives it, so the facts of a national world (or any municipality
    outside the seed) find their municipality. The seed wins where both name a municipality. -#}
with municipalities as (
    select * from {{ ref('municipalities') }}
),

cbs_regions as (
    select * from {{ ref('stg_cbs__regions') }}
),

cbs_latest as (
    -- Two snapshots of the same year (e.g. the 2024 edition re-pulled) hold the same rows; one per municipality.
    select
        municipality_code,
        max(municipality_name) as municipality_name,
        max(region_code) as region_code
    from cbs_regions
    where year = (select max(year) from cbs_regions)
    group by municipality_code
),

final as (
    select
        municipality_code,
        municipality_name,
        region_code
    from municipalities
    union all
    select
        cbs_latest.municipality_code,
        cbs_latest.municipality_name,
        cbs_latest.region_code
    from cbs_latest
    where cbs_latest.municipality_code not in (select municipality_code from municipalities)
)

select * from final

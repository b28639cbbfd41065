{#- The regions of the warehouse's municipalities (seed), plus every other jeugdzorgregio CBS Gebieden in Nederland
    names in its latest year landed or in the national reference list (dim_municipality), so national CBS figures per
    region and facts of any municipality have a dimension row too. -#}
with municipalities as (
    select * from {{ ref('municipalities') }}
),

in_scope as (
    select
        region_code,
        region_name,
        count(*) as municipality_count
    from municipalities
    group by region_code, region_name
),

cbs_regions as (
    select * from {{ ref('stg_cbs__regions') }}
),

cbs_latest as (
    select
        region_code,
        max(region_name) as region_name,
        count(distinct municipality_code) as municipality_count,
        max(year) as year
    from cbs_regions
    where year = (select max(editions.year) from cbs_regions as editions)
    group by region_code
),

reference_regions as (
    select region_code, max(nullif(region_name, '')) as region_name
    from {{ ref('dutch_municipalities') }}
    group by region_code
),

final as (
    select
        coalesce(in_scope.region_code, cbs_latest.region_code, reference_regions.region_code) as region_code,
        -- The 2016 Gebieden table names no region: its code stands in, never an invented name.
        coalesce(
            in_scope.region_name,
            cbs_latest.region_name,
            reference_regions.region_name,
            coalesce(in_scope.region_code, cbs_latest.region_code, reference_regions.region_code)
        ) as region_name,
        coalesce(in_scope.municipality_count, 0) as municipality_count,
        in_scope.region_code is not null as in_scope,
        cbs_latest.region_name as cbs_region_name,
        cbs_latest.municipality_count as cbs_municipality_count,
        cbs_latest.year as cbs_year
    from in_scope
    full outer join cbs_latest
        on in_scope.region_code = cbs_latest.region_code
    full outer join reference_regions
        on coalesce(in_scope.region_code, cbs_latest.region_code) = reference_regions.region_code
)

select * from final

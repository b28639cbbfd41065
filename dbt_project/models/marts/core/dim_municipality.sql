{#- Every municipality a message can name, each once, from the most specific source that knows it: the warehouse's own
    municipalities (seed municipalities, the regions' own list), else the latest CBS Gebieden in Nederland landed,
    else the national reference list (seed dutch_municipalities, written from a Gebieden table by
    scripts/write_dutch_municipalities.py). known_from says which; a municipality known only from the reference list
    has no say in its region's population figures (a list of an older year still names merged municipalities). -#}
with municipalities as (
    select * from {{ ref('municipalities') }}
),

cbs_regions as (
    select * from {{ ref('stg_cbs__regions') }}
),

dutch_municipalities as (
    select * from {{ ref('dutch_municipalities') }}
),

cbs_latest as (
    -- Two snapshots of the same year (e.g. the 2024 edition re-pulled) hold the same rows; one per municipality.
    select
        municipality_code,
        max(municipality_name) as municipality_name,
        max(region_code) as region_code
    from cbs_regions
    where year = (select max(editions.year) from cbs_regions as editions)
    group by municipality_code
),

known as (
    select municipality_code, municipality_name, region_code, 'region_seed' as known_from, 1 as precedence
    from municipalities
    union all
    select municipality_code, municipality_name, region_code, 'cbs_landed', 2
    from cbs_latest
    union all
    select municipality_code, municipality_name, region_code, 'cbs_reference', 3
    from dutch_municipalities
),

ranked as (
    select
        *,
        row_number() over (partition by municipality_code order by precedence) as rank_in_sources
    from known
),

final as (
    select
        municipality_code,
        -- The 2016 Gebieden table names no municipality: its code stands in, never an invented name.
        coalesce(nullif(municipality_name, ''), municipality_code) as municipality_name,
        region_code,
        known_from
    from ranked
    where rank_in_sources = 1
)

select * from final

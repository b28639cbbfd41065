{{ config(meta={'dagster': {'ref': {'name': 'fct_population'}}}) }}
{#- Once population figures are loaded, every municipality in scope needs its youth count for the latest year
    loaded: rates would otherwise silently lose a denominator. Without the CBS source the test passes (DESIGN.md
    section 4: an absent source does not block). A municipality known only from the national reference list is out of
    scope: its region's figures leave it out (int_kpi_population_shares). -#}
with population as (
    select * from {{ ref('fct_population') }}
),

latest_year as (
    select max(year) as year from population
)

select municipalities.municipality_code, latest_year.year
from {{ ref('dim_municipality') }} as municipalities
cross join latest_year
left join population
    on municipalities.municipality_code = population.municipality_code
    and latest_year.year = population.year
where latest_year.year is not null
    and municipalities.known_from <> 'cbs_reference'
    and population.youth_0_17 is null

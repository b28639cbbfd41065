{#- Youth on 1 January per municipality and year in the age bands CBS relates its youth-care figures to, the
    denominators of the population shares: 0-22 (jeugdhulp), 0-17 (jeugdbescherming) and 12-22 (jeugdreclassering).
    Each band is the sum of its single-year ages read from 03759ned's Leeftijd table; when one of its ages is missing
    it stays null rather than undercounting. -#}
with population as (
    select * from {{ ref('stg_cbs__population') }}
),

with_latest_file as (
    select
        population.*,
        max(population.ingested_at) over (partition by population.scope_code, population.year) as latest_ingested_at
    from population
    where population.period_type = 'year'
),

per_year as (
    select
        scope_code,
        year,
        max(status) as status,
        max(table_id) as table_id,
        max(file_sha256) as file_sha256,
        {%- for band, (youngest, oldest) in youth_bands().items() %}
        sum(case when age_years between {{ youngest }} and {{ oldest }} then persons end) as sum_{{ band }},
        count(distinct case when age_years between {{ youngest }} and {{ oldest }} and persons is not null
            then age_years end) as ages_{{ band }},
        {%- endfor %}
        max(case when age_years is null then persons end) as population_total
    from with_latest_file
    where ingested_at = latest_ingested_at
    group by scope_code, year
),

municipalities as (
    select municipality_code from {{ ref('dim_municipality') }}
),

final as (
    select
        per_year.scope_code as municipality_code,
        per_year.year,
        {%- for band, (youngest, oldest) in youth_bands().items() %}
        cast(
            case when per_year.ages_{{ band }} = {{ oldest - youngest + 1 }} then per_year.sum_{{ band }} end as bigint
        ) as youth_{{ band }},
        {%- endfor %}
        cast(per_year.population_total as bigint) as population_total,
        per_year.status,
        per_year.table_id,
        per_year.file_sha256
    from per_year
    inner join municipalities
        on per_year.scope_code = municipalities.municipality_code
)

select * from final

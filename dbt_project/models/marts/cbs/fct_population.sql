{#- Youth 0-17 on 1 January per municipality and year, the denominator of the rate KPIs. The youth count is the sum
    of the 18 single-year ages read from 03759ned's Leeftijd table; when an age is missing it stays null rather
    than undercounting. -#}
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
        sum(case when age_years between 0 and 17 then persons end) as youth_sum,
        count(distinct case when age_years between 0 and 17 and persons is not null then age_years end) as ages_present,
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
        cast(case when per_year.ages_present = 18 then per_year.youth_sum end as bigint) as youth_0_17,
        cast(per_year.population_total as bigint) as population_total,
        per_year.status,
        per_year.table_id,
        per_year.file_sha256
    from per_year
    inner join municipalities
        on per_year.scope_code = municipalities.municipality_code
)

select * from final

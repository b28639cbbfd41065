{#- Each municipality's CBS size class (gemeentegrootte, seed cbs_size_classes) by its inhabitants on 1 January of
    the latest year the warehouse holds a population total for (CBS 03759ned, fct_population). One class per
    municipality for every period: kpi_scopes assigns a fact its scopes before it meets a period, so a municipality
    that crosses a class boundary moves class for its whole history, not from that year on. -#}
with population as (
    select municipality_code, year, population_total
    from {{ ref('fct_population') }}
    where population_total is not null
),

latest_population as (
    select
        municipality_code,
        year as population_year,
        population_total
    from population
    where year = (
        select max(years.year) from population as years
        where years.municipality_code = population.municipality_code
    )
),

size_classes as (
    select * from {{ ref('cbs_size_classes') }}
),

final as (
    select
        latest_population.municipality_code,
        size_classes.size_class_code,
        size_classes.size_class_name_nl,
        latest_population.population_year,
        latest_population.population_total
    from latest_population
    inner join size_classes
        on latest_population.population_total >= size_classes.inhabitants_from
        and (
            size_classes.inhabitants_below is null
            or latest_population.population_total < size_classes.inhabitants_below
        )
)

select * from final

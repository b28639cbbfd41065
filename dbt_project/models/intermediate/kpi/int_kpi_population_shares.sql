{#- Share of youth with jeugdhulp: youths 0-17 on 1 January of the period's year (born in the 18 years before it)
    with a jeugdhulp trajectory active in the period, over the youth 0-17 on that day (CBS 03759ned): one age band in
    numerator and denominator. CBS publishes the share over 0-22; the warehouse's population holds 0-17 only.
    A region's population is the sum over all its municipalities (dim_municipality, those known only from the
    national reference list left out: an older list still names merged municipalities); a region with one
    municipality's population missing gets no row rather than a share over a partial denominator. -#}
with clients as (
    select * from {{ ref('int_kpi_trajectories_counted') }}
    where kpi_id = 'clients_in_care_0_17'
        and scope_type in ('municipality', 'region')
),

periods as (
    select distinct period_type, period, period_year from {{ ref('int_kpi_periods') }}
),

population as (
    select
        dim_municipality.municipality_code,
        dim_municipality.region_code,
        dim_municipality.known_from,
        fct_population.year,
        fct_population.youth_0_17
    from {{ ref('dim_municipality') }} as dim_municipality
    inner join {{ ref('fct_population') }} as fct_population
        on dim_municipality.municipality_code = fct_population.municipality_code
),

municipality_counts as (
    select region_code, count(*) as municipalities
    from {{ ref('dim_municipality') }}
    where known_from <> 'cbs_reference'
    group by region_code
),

youth as (
    select 'municipality' as scope_type, municipality_code as scope_code, year, youth_0_17
    from population
    where youth_0_17 is not null
    union all
    select 'region', population.region_code, population.year, sum(population.youth_0_17)
    from population
    inner join municipality_counts
        on population.region_code = municipality_counts.region_code
    where population.known_from <> 'cbs_reference'
    group by population.region_code, population.year, municipality_counts.municipalities
    having count(population.youth_0_17) = municipality_counts.municipalities
),

final as (
    select
        'youth_in_care_share' as kpi_id,
        clients.scope_type,
        clients.scope_code,
        clients.period_type,
        clients.period,
        clients.numerator,
        youth.youth_0_17 as denominator,
        100.0 * clients.numerator / youth.youth_0_17 as value
    from clients
    inner join periods
        on clients.period_type = periods.period_type
        and clients.period = periods.period
    inner join youth
        on clients.scope_type = youth.scope_type
        and clients.scope_code = youth.scope_code
        and periods.period_year = youth.year
    where youth.youth_0_17 > 0
)

select * from final

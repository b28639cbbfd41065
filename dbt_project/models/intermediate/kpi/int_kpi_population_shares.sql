{#- Share of youth with jeugdhulp as CBS publishes it: youths 0-22 on 1 January of the period's year (born in the 23
    years before it) with a jeugdhulp trajectory active in the period, over the youth 0-22 on that day (CBS 03759ned):
    one age band, CBS's, in numerator and denominator.
    A region's population is the sum over the municipalities whose data covers the period
    (int_municipality_periods_covered), the same municipalities its clients come from; a region with one such
    municipality's population missing gets no row rather than a share over a partial denominator. A size class
    (int_municipality_size_classes) sums its covered municipalities' population the same way. -#}
with clients as (
    select * from {{ ref('int_kpi_trajectories_counted') }}
    where kpi_id = 'clients_in_care_0_22'
        and scope_type in ('municipality', 'region', 'size_class')
),

population as (
    select municipality_code, year, youth_0_22 from {{ ref('fct_population') }}
),

covered as (
    select
        coverage.municipality_code,
        coverage.region_code,
        size_classes.size_class_code,
        coverage.period_type,
        coverage.period,
        population.youth_0_22
    from {{ ref('int_municipality_periods_covered') }} as coverage
    left join population
        on coverage.municipality_code = population.municipality_code
        and cast(extract(year from coverage.first_day) as integer) = population.year
    left join {{ ref('int_municipality_size_classes') }} as size_classes
        on coverage.municipality_code = size_classes.municipality_code
    where coverage.is_covered
),

youth as (
    select 'municipality' as scope_type, municipality_code as scope_code, period_type, period, youth_0_22
    from covered
    where youth_0_22 is not null
    union all
    select 'region', region_code, period_type, period, sum(youth_0_22)
    from covered
    group by region_code, period_type, period
    having count(youth_0_22) = count(*)
    union all
    select 'size_class', size_class_code, period_type, period, sum(youth_0_22)
    from covered
    where size_class_code is not null
    group by size_class_code, period_type, period
    having count(youth_0_22) = count(*)
),

final as (
    select
        'youth_in_care_share' as kpi_id,
        clients.scope_type,
        clients.scope_code,
        clients.period_type,
        clients.period,
        clients.numerator,
        youth.youth_0_22 as denominator,
        100.0 * clients.numerator / youth.youth_0_22 as value
    from clients
    inner join youth
        on {{ same_scope_period('clients', 'youth') }}
    where youth.youth_0_22 > 0
)

select * from final

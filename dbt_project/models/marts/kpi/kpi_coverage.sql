{#- Per region, KPI period and municipality of the region: whether the warehouse holds the municipality's data for
    the period (int_municipality_periods_covered, docs/kpis.md Coverage) and, repeated on each row, how many of the
    region's municipalities its figures cover and whether the period carries a coverage warning: some municipality
    of the region sent nothing in one of the period's quarters (up to the data's last day), or nothing yet. -#}
with coverage as (
    select
        region_code,
        municipality_code,
        period_type,
        period,
        first_delivered_day,
        quarters_in_period,
        quarters_delivered,
        is_covered,
        is_complete
    from {{ ref('int_municipality_periods_covered') }}
    where region_code is not null
),

regions as (
    select
        region_code,
        period_type,
        period,
        count(*) as municipalities_in_region,
        count(case when is_covered then 1 end) as municipalities_covered,
        count(case when is_complete then 1 end) as municipalities_complete
    from coverage
    group by region_code, period_type, period
),

final as (
    select
        coverage.region_code,
        coverage.period_type,
        coverage.period,
        coverage.municipality_code,
        coverage.first_delivered_day,
        coverage.quarters_in_period,
        coverage.quarters_delivered,
        coverage.is_covered,
        coverage.is_complete,
        cast(regions.municipalities_in_region as integer) as municipalities_in_region,
        cast(regions.municipalities_covered as integer) as municipalities_covered,
        regions.municipalities_complete < regions.municipalities_in_region as coverage_warning
    from coverage
    inner join regions
        on coverage.region_code = regions.region_code
        and coverage.period_type = regions.period_type
        and coverage.period = regions.period
)

select * from final

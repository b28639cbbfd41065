{#- How many of a reported region's municipalities the figures of the report's quarter cover, and the coverage
    warning with the names of the municipalities that sent nothing in the quarter (kpi_coverage, docs/kpis.md
    Coverage): the line the report shows beside the region's figures. -#}
with kpi_coverage as (
    select * from {{ ref('public_kpi_coverage') }}
    where period_type = 'quarter'
),

rpt_periods as (
    select * from {{ ref('rpt_periods') }}
),

rpt_municipalities as (
    select * from {{ ref('rpt_municipalities') }}
),

missing as (
    select
        kpi_coverage.region_code,
        kpi_coverage.period as quarter,
        count(*) as municipalities_missing,
        {{ dbt.listagg(
            'rpt_municipalities.municipality_name', "', '", 'order by rpt_municipalities.municipality_name'
        ) }} as missing_municipality_names
    from kpi_coverage
    inner join rpt_municipalities on kpi_coverage.municipality_code = rpt_municipalities.municipality_code
    where not kpi_coverage.is_complete
    group by kpi_coverage.region_code, kpi_coverage.period
),

regions as (
    select distinct
        region_code,
        period as quarter,
        municipalities_in_region,
        municipalities_covered,
        coverage_warning
    from kpi_coverage
),

final as (
    select
        rpt_periods.region_code,
        rpt_periods.quarter,
        regions.municipalities_in_region,
        regions.municipalities_covered,
        coalesce(regions.coverage_warning, true) as coverage_warning,
        cast(coalesce(missing.municipalities_missing, 0) as integer) as municipalities_missing,
        missing.missing_municipality_names
    from rpt_periods
    left join regions
        on rpt_periods.region_code = regions.region_code
        and rpt_periods.quarter = regions.quarter
    left join missing
        on rpt_periods.region_code = missing.region_code
        and rpt_periods.quarter = missing.quarter
)

select * from final

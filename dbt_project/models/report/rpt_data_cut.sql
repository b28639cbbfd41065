{#- The data cut of each report: the latest declaration date among the declaration lines of the region's
    municipalities the warehouse holds (audit tier lineage), the last delivery the report's figures include. A report
    of an earlier quarter is written from the same deliveries, so it states the same cut. -#}
with lineage as (
    select * from {{ ref('audit_declaration_line_lineage') }}
),

rpt_periods as (
    select * from {{ ref('rpt_periods') }}
),

rpt_municipalities as (
    select * from {{ ref('rpt_municipalities') }}
),

region_deliveries as (
    select
        rpt_municipalities.region_code,
        max(lineage.declaration_date) as data_cut_date,
        count(distinct lineage.file_sha256) as declaration_files
    from lineage
    inner join rpt_municipalities on lineage.municipality_code = rpt_municipalities.municipality_code
    group by rpt_municipalities.region_code
),

final as (
    select
        rpt_periods.region_code,
        rpt_periods.quarter,
        region_deliveries.data_cut_date,
        cast(coalesce(region_deliveries.declaration_files, 0) as integer) as declaration_files
    from rpt_periods
    left join region_deliveries on rpt_periods.region_code = region_deliveries.region_code
)

select * from final

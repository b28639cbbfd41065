{#- The catalogue's definitions of the KPIs in a report's workbook (its rpt_kpi_rows), by name: the workbook's sheet
    of KPI definitions. -#}
with rpt_kpi_rows as (
    select * from {{ ref('rpt_kpi_rows') }}
),

reported_kpis as (
    select distinct
        region_code,
        quarter,
        kpi_id
    from rpt_kpi_rows
),

final as (
    {{ kpi_definition_rows('reported_kpis', ['region_code', 'quarter']) }}
)

select * from final

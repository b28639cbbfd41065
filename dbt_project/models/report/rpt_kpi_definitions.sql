{#- The catalogue's definitions of the KPIs in a report's workbook (its rpt_kpi_rows), by name: the workbook's sheet
    of KPI definitions. -#}
with rpt_kpi_rows as (
    select * from {{ ref('rpt_kpi_rows') }}
),

dim_kpi as (
    select * from {{ ref('public_dim_kpi') }}
),

reported_kpis as (
    select distinct
        region_code,
        quarter,
        kpi_id
    from rpt_kpi_rows
),

final as (
    select
        reported_kpis.region_code,
        reported_kpis.quarter,
        reported_kpis.kpi_id,
        dim_kpi.name_nl,
        dim_kpi.definition,
        dim_kpi.numerator,
        dim_kpi.denominator,
        dim_kpi.unit,
        dim_kpi.direction,
        dim_kpi.lever,
        dim_kpi.policy_goal,
        dim_kpi.source_document,
        cast(row_number() over (
            partition by reported_kpis.region_code, reported_kpis.quarter
            order by dim_kpi.name_nl, reported_kpis.kpi_id
        ) as integer) as row_order
    from reported_kpis
    inner join dim_kpi on reported_kpis.kpi_id = dim_kpi.kpi_id
)

select * from final

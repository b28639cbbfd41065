{#- The KPI definitions sheet of a provider edition's workbook: the catalogue's definitions of every KPI its KPI
    sheet holds, the region's (rpt_kpi_rows) and the provider's own provider-scope KPIs (rpt_provider_kpi_rows), by
    name. -#}
with editions as (
    select * from {{ ref('rpt_provider_editions') }}
),

rpt_kpi_rows as (
    select * from {{ ref('rpt_kpi_rows') }}
),

rpt_provider_kpi_rows as (
    select * from {{ ref('rpt_provider_kpi_rows') }}
),

edition_kpis as (
    select
        editions.region_code,
        editions.quarter,
        editions.provider_agb,
        rpt_kpi_rows.kpi_id
    from editions
    inner join rpt_kpi_rows
        on editions.region_code = rpt_kpi_rows.region_code
        and editions.quarter = rpt_kpi_rows.quarter
    union
    select
        region_code,
        quarter,
        provider_agb,
        kpi_id
    from rpt_provider_kpi_rows
),

final as (
    {{ kpi_definition_rows('edition_kpis', ['region_code', 'quarter', 'provider_agb']) }}
)

select * from final

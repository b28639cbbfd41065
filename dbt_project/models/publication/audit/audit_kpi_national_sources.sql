{#- audit_tier.kpi_national_sources: the national (nl) KPI values are CBS figures as published
    (int_kpi_national_benchmarks), not counted from iJw messages: per KPI and year, the CBS table the catalogue's
    nl_source names and that table's national rows of the year, with their status and file. A view. -#}
{{ config(materialized='view') }}
with catalogue as (
    select kpi_id, nl_source from {{ ref('kpi_catalogue') }}
    where nl_source is not null and nl_source <> ''
),

indicators as (
    select table_id, period, indicator, category, value, status, file_sha256
    from {{ ref('fct_cbs_indicator') }}
    where scope_type = 'nl' and period_type = 'year'
),

final as (
    select
        catalogue.kpi_id,
        catalogue.nl_source,
        indicators.table_id,
        indicators.period,
        indicators.indicator,
        indicators.category,
        indicators.value,
        indicators.status,
        indicators.file_sha256
    from catalogue
    inner join indicators
        on {{ dbt.position('indicators.table_id', 'catalogue.nl_source') }} > 0
)

select * from final

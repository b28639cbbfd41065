{#- Staging for the four CBS observation tables (kerncijfers, trajecten, gemeenten, kosten): they share one raw
    shape (orchestration/warehouse/schema_cbs_budgets.py), so they share one rename. -#}
{% macro stg_cbs_observations(table_name) %}
with source as (
    select * from {{ source('raw_cbs', table_name) }}
),

renamed as (
    select
        {{ cbs_period_key() }},
        category,
        measure_key as indicator,
        measure_title as indicator_title,
        unit,
        cast(value as double precision) as value,
        source_record,
        file_path,
        file_sha256,
        ingested_at
    from source
)

select * from renamed
{% endmacro %}

{#- The key of a row of a CBS table per region and period (the observation tables above and the population): the
    table, the region or municipality, and the period as CBS codes it (2024JJ00) and as the warehouse reads it. -#}
{% macro cbs_period_key() -%}
        table_id,
        scope_code,
        period_code,
        period_type,
        period,
        cast(year as integer) as year,
        status
{%- endmacro %}

{#- The catalogue's definition of each KPI of `reported_kpis` (a relation of `keys` and kpi_id), by name within
    `keys`: the workbook's sheet of KPI definitions, of a region's edition (rpt_kpi_definitions) or a provider's
    (rpt_provider_kpi_definitions). -#}
{% macro kpi_definition_rows(reported_kpis, keys) -%}
    select
        {%- for key in keys %}
        {{ reported_kpis }}.{{ key }},
        {%- endfor %}
        {{ reported_kpis }}.kpi_id,
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
            partition by {% for key in keys %}{{ reported_kpis }}.{{ key }}{{ ', ' if not loop.last }}{% endfor %}
            order by dim_kpi.name_nl, {{ reported_kpis }}.kpi_id
        ) as integer) as row_order
    from {{ reported_kpis }}
    inner join {{ ref('public_dim_kpi') }} as dim_kpi on {{ reported_kpis }}.kpi_id = dim_kpi.kpi_id
{%- endmacro %}

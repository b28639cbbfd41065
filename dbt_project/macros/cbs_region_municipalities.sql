{#- The municipalities a region's CBS-based share sums its youth over: those the region seed or a landed CBS Gebieden
    table names (a reference list of an older year still names merged municipalities). Read by the justice family
    (int_kpi_cbs_justice_counted) and by its trace (audit_kpi_reference_contributions), so both sum the same ones. -#}
{% macro cbs_region_municipalities() -%}
    select municipality_code, region_code
    from {{ ref('dim_municipality') }}
    where known_from <> 'cbs_reference'
        and region_code is not null
{%- endmacro %}

{#- A CBS statistic's key in the audit tier (fct_cbs_indicator's grain: table, scope, period, indicator, category). -#}
{% macro cbs_indicator_key() -%}
    table_id || '|' || scope_code || '|' || period || '|' || indicator || '|' || coalesce(category, '')
{%- endmacro %}

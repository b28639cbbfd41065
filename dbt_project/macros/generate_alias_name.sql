{#- A publication model is named for its tier and table (public_kpi_values, analyst_dim_client, audit_quarantine) and
    builds the table under the table's own name in its tier's schema (public_marts.kpi_values), so a BI query reads
    the same names in every tier. Every other node keeps dbt's default. -#}
{% macro generate_alias_name(custom_alias_name=none, node=none) -%}
    {%- if custom_alias_name -%}
        {{ custom_alias_name | trim }}
    {%- elif node.resource_type == 'model' and node.fqn[1] == 'publication' -%}
        {{ node.name.split('_', 1)[1] }}
    {%- else -%}
        {{ default__generate_alias_name(custom_alias_name, node) }}
    {%- endif -%}
{%- endmacro %}

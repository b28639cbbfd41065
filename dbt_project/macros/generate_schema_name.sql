{#- Schemas are named for the layer (staging, marts, reference), as DESIGN.md section 4 and BI users expect,
    not prefixed with the target schema as dbt does by default. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {{ (custom_schema_name or target.schema) | trim }}
{%- endmacro %}

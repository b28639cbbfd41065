{#- A KPI figure as the report's workbook stores it: a percentage as a fraction (12.5 as 0.125), which Excel shows
    with a percent format and computes with as a share; every other unit as it is. -#}
{% macro workbook_number(expression, unit) -%}
    case when {{ unit }} = 'percent' then {{ expression }} / 100.0 else {{ expression }} end
{%- endmacro %}

{#- The join of two relations on one KPI, scope and period: the key of a steering signal, which its drivers, agenda
    items and withheld KPI quarters share. -#}
{% macro same_kpi_scope_period(left, right) -%}
    {{ left }}.kpi_id = {{ right }}.kpi_id
        and {{ left }}.scope_type = {{ right }}.scope_type
        and {{ left }}.scope_code = {{ right }}.scope_code
        and {{ left }}.period = {{ right }}.period
{%- endmacro %}

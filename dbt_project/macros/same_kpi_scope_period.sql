{#- The join of two relations on one KPI, scope and period: the key of a steering signal, which its drivers, agenda
    items and withheld KPI quarters share. -#}
{% macro same_kpi_scope_period(left, right) -%}
    {{ left }}.kpi_id = {{ right }}.kpi_id
        and {{ left }}.scope_type = {{ right }}.scope_type
        and {{ left }}.scope_code = {{ right }}.scope_code
        and {{ left }}.period = {{ right }}.period
{%- endmacro %}

{#- The join of two relations on one scope and period (period_type and period): two KPI families' rows, or a KPI
    family's rows and their budgets, at the same grain. -#}
{% macro same_scope_period(left, right) -%}
    {{ left }}.scope_type = {{ right }}.scope_type
        and {{ left }}.scope_code = {{ right }}.scope_code
        and {{ left }}.period_type = {{ right }}.period_type
        and {{ left }}.period = {{ right }}.period
{%- endmacro %}

{#- The join of two relations on one KPI value: the key of kpi_values. -#}
{% macro same_kpi_value(left, right) -%}
    {{ left }}.kpi_id = {{ right }}.kpi_id
        and {{ same_scope_period(left, right) }}
{%- endmacro %}

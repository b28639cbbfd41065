{#- Join conditions on a key: every column of `columns` equal in the two relations. -#}
{% macro same_columns(left, right, columns) -%}
    {%- for column in columns -%}
        {{ '\n        and ' if not loop.first }}{{ left }}.{{ column }} = {{ right }}.{{ column }}
    {%- endfor -%}
{%- endmacro %}

{#- The join of two relations on one KPI, scope and period: the key of a steering signal, which its drivers, agenda
    items and withheld KPI quarters share. -#}
{% macro same_kpi_scope_period(left, right) -%}
    {{ same_columns(left, right, ['kpi_id', 'scope_type', 'scope_code', 'period']) }}
{%- endmacro %}

{#- The join of two relations on one scope and period (period_type and period): two KPI families' rows, or a KPI
    family's rows and their budgets, at the same grain. -#}
{% macro same_scope_period(left, right) -%}
    {{ same_columns(left, right, ['scope_type', 'scope_code', 'period_type', 'period']) }}
{%- endmacro %}

{#- The join of two relations on one KPI value: the key of kpi_values. -#}
{% macro same_kpi_value(left, right) -%}
    {{ same_columns(left, right, ['kpi_id', 'scope_type', 'scope_code', 'period_type', 'period']) }}
{%- endmacro %}

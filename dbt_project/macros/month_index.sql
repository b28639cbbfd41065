{#- Months since year 0 (year * 12 + month - 1): month arithmetic that runs the same on DuckDB and PostgreSQL. -#}
{% macro month_index(date_column) -%}
    (cast(extract(year from {{ date_column }}) as integer) * 12 + cast(extract(month from {{ date_column }}) as integer) - 1)
{%- endmacro %}

{#- Whole days from one date to another, as a bigint on every target: dbt.datediff gives a bigint on DuckDB and an
    integer on PostgreSQL, and the marts' contracts name one type. -#}
{% macro days_between(from_date, to_date) -%}
    cast({{ dbt.datediff(from_date, to_date, 'day') }} as bigint)
{%- endmacro %}

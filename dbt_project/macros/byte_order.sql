{#- A text column to order by in byte order on every database: DuckDB compares strings by bytes, PostgreSQL by the
    database's collation unless told otherwise, and a tie broken by key must pick the same row on both. -#}
{% macro byte_order(column) -%}
    {{ return(adapter.dispatch('byte_order')(column)) }}
{%- endmacro %}

{% macro default__byte_order(column) -%}
    {{ column }}
{%- endmacro %}

{% macro postgres__byte_order(column) -%}
    {{ column }} collate "C"
{%- endmacro %}

{#- The period a date falls in, in the warehouse's period codes: '2024-Q3', '2024-H2' or '2024'. -#}
{% macro period_code(date_column, period_type) -%}
    {%- set year = "cast(cast(extract(year from " ~ date_column ~ ") as integer) as varchar)" -%}
    {%- set quarter = "cast(extract(quarter from " ~ date_column ~ ") as integer)" -%}
    {%- if period_type == 'quarter' -%}
        {{ year }} || '-Q' || cast({{ quarter }} as varchar)
    {%- elif period_type == 'half_year' -%}
        {{ year }} || '-H' || case when {{ quarter }} <= 2 then '1' else '2' end
    {%- elif period_type == 'year' -%}
        {{ year }}
    {%- else -%}
        {{ exceptions.raise_compiler_error("unknown period_type " ~ period_type) }}
    {%- endif -%}
{%- endmacro %}

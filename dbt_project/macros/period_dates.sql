{#- The first and last day of a period code ('2024', '2024-H2', '2024-Q3'), for BI tools that filter and plot on
    dates rather than labels; make_date and date - integer run the same on DuckDB and PostgreSQL. -#}
{% macro period_first_month(period) -%}
    (case when length({{ period }}) = 4 then 1
        else (cast(substr({{ period }}, 7, 1) as integer) - 1) * {{ period_months(period) }} + 1 end)
{%- endmacro %}

{% macro period_months(period) -%}
    (case when length({{ period }}) = 4 then 12 when substr({{ period }}, 6, 1) = 'Q' then 3 else 6 end)
{%- endmacro %}

{% macro period_first_day(period) -%}
    make_date(cast(substr({{ period }}, 1, 4) as integer), {{ period_first_month(period) }}, 1)
{%- endmacro %}

{% macro period_last_day(period) -%}
    {%- set next_month = period_first_month(period) ~ ' + ' ~ period_months(period) -%}
    cast(make_date(
        cast(substr({{ period }}, 1, 4) as integer) + case when {{ next_month }} > 12 then 1 else 0 end,
        case when {{ next_month }} > 12 then 1 else {{ next_month }} end,
        1
    ) - 1 as date)
{%- endmacro %}

{#- A quarterly close builds the warehouse as it stood at its data cut (orchestration/closes): with the var `data_cut`
    (a date, 'YYYY-MM-DD') a staging model keeps only the records of messages dated on or before it; without it (every
    ordinary run) the condition is true and nothing is filtered. The message's own date (Dagtekening) is the delivery
    date, so a close of an old quarter made today sees the deliveries that quarter's close saw. -#}
{% macro within_data_cut(delivery_date) -%}
    {%- set data_cut = var('data_cut', none) -%}
    {%- if data_cut is none -%}
        true
    {%- else -%}
        {{ delivery_date }} <= cast('{{ data_cut }}' as date)
    {%- endif -%}
{%- endmacro %}

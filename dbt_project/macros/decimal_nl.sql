{#- A number as Dutch text with two decimals and a decimal comma ('786639,96'): the agenda's sentences are read by
    Dutch controllers, and a decimal point there reads as a thousands separator. -#}
{% macro decimal_nl(expression) -%}
    replace(cast(cast({{ rounded(expression, 2) }} as decimal(18, 2)) as varchar), '.', ',')
{%- endmacro %}

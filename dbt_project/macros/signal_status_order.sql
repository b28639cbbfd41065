{#- The reading order of signal statuses, most urgent first: red, amber, no_data, green. -#}
{% macro signal_status_order(status) -%}
    cast(case {{ status }} when 'red' then 0 when 'amber' then 1 when 'no_data' then 2 when 'green' then 3 else 9 end as integer)
{%- endmacro %}

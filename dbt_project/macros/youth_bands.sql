{#- The age bands on 1 January that CBS relates its youth-care figures to (docs/kpis.md), as band -> (youngest,
    oldest): jeugdhulp 0-22, jeugdbescherming 0-17 (it ends at 18), jeugdreclassering 12-22. marts.fct_population has
    a youth_<band> column for each. -#}
{% macro youth_bands() -%}
    {{ return({'0_17': (0, 17), '0_22': (0, 22), '12_22': (12, 22)}) }}
{%- endmacro %}

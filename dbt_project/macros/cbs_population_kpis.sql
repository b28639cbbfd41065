{#- The KPIs whose value divides by CBS's population (03759ned, fct_population): youth_in_care_share
    (int_kpi_population_shares), jeugdbescherming_share_cbs and jeugdreclassering_share_cbs
    (int_kpi_cbs_justice_counted). A report names CBS as the source wherever it shows one of them (rpt_cbs_sources). -#}
{% macro cbs_population_kpis() -%}
    ('youth_in_care_share', 'jeugdbescherming_share_cbs', 'jeugdreclassering_share_cbs')
{%- endmacro %}

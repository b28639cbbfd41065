{#- The start-count KPIs (int_kpi_starts_counted) as (kpi_id, condition on a started trajectory of
    int_kpi_trajectories_described): written once here and read by the family and by the audit tier's trace
    (audit_kpi_trajectory_contributions), so a KPI added to this list is counted and traced alike. A condition may use
    care_form_code, start_date and started_in_crisis. -#}
{% macro started_trajectory_kpis() -%}
    {{ return([
        ('trajectories_started_in_crisis', 'started_in_crisis'),
        ('out_of_home_placements_started', "care_form_code in ('11', '12', '13', '14')"),
    ]) }}
{%- endmacro %}

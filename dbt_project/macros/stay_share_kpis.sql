{#- The stay-share KPIs (int_kpi_trajectories_counted) as (kpi_id, care forms counted): each is its care forms'
    active trajectories over all active trajectories with stay (care forms 11-14). Written once here and read by the
    family and by the audit tier's trace (audit_kpi_trajectory_contributions), so a share added here is counted and
    traced alike. 11 pleegzorg and 12 gezinsgericht (gezinshuis) are the family settings; justice care forms carry a
    J prefix, so these codes are jeugdhulp only. -#}
{% macro stay_share_kpis() -%}
    {{ return([
        ('family_setting_share', "('11', '12')"),
        ('pleegzorg_share', "('11')"),
        ('gezinshuis_share', "('12')"),
    ]) }}
{%- endmacro %}

{#- The care forms with stay: the denominator of every stay share. -#}
{% macro stay_care_forms() -%}
    ('11', '12', '13', '14')
{%- endmacro %}

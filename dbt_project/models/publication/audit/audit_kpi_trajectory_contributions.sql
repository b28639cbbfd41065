{#- Which trajectories (marts.fct_trajectory) make each trajectory-based KPI value, per published scope and period:
    the active, started and ended counts (int_kpi_trajectories_counted, int_kpi_starts_counted), the outcome and
    duration KPIs (int_kpi_outcomes_counted), the stay shares (stay_share_kpis), the youths of youth_in_care_share and the denominators of cost per
    youth and per trajectory. Youth KPIs count distinct youths: counting_key is a hash of the client key (no client
    key leaves the warehouse). A view: the trace selects one value's rows, so nothing is built ahead. -#}
{{ config(materialized='view') }}
{%- set youth = dbt.hash('client_key') %}
{%- set jeugdhulp = "cbs_care_domain = 'jeugdhulp'" %}
with trajectories as (
    select
        trajectory_id, client_key, municipality_code, region_code, provider_agb, care_form_code, start_date, end_date,
        started_in_crisis, cbs_care_domain, birth_year
    from {{ ref('int_kpi_trajectories_described') }}
),

scoped as (
    {{ kpi_scopes('trajectories', [
        'trajectory_id', 'client_key', 'care_form_code', 'cbs_care_domain', 'start_date', 'end_date', 'birth_year',
        'started_in_crisis'
    ]) }}
),

published as (
    select * from scoped where scope_type in {{ published_kpi_scope_types() }}
),

periods as (
    select period_type, period, period_year, first_day, last_day from {{ ref('int_kpi_periods') }}
),

active as (
    select published.*, periods.period_type, periods.period, periods.period_year - published.birth_year as age_in_year
    from published
    {{ kpi_active_periods_join('published') }}
),

outcomes as (
    select
        trajectory_id, municipality_code, region_code, provider_agb, care_form_code, start_date, end_date,
        end_reason_code, duration_days, has_follow_up, restarted_within_6_months, is_repeat
    from {{ ref('int_kpi_outcomes_flagged') }}
),

outcomes_scoped as (
    {{ kpi_scopes('outcomes', [
        'trajectory_id', 'start_date', 'end_date', 'end_reason_code', 'duration_days', 'has_follow_up',
        'restarted_within_6_months', 'is_repeat'
    ]) }}
),

outcomes_published as (
    select * from outcomes_scoped where scope_type in {{ published_kpi_scope_types() }}
),
{%- for events, relation, day in [
    ('started', 'published', 'start_date'),
    ('ended', 'published', 'end_date'),
    ('outcomes_ended', 'outcomes_published', 'end_date'),
    ('outcomes_started', 'outcomes_published', 'start_date'),
] %}

{{ events }} as (
    select {{ relation }}.*, periods.period_type, periods.period
    from {{ relation }}
    {{ kpi_periods_join(relation, day) }}
),
{%- endfor %}

final as (
    {{ kpi_contribution_rows('active', 'fct_trajectory', 'trajectory_id', [
        ("'clients_in_care'", 'numerator', youth, none, jeugdhulp),
        ("'clients_in_care_0_22'", 'numerator', youth, none, jeugdhulp ~ ' and age_in_year between 1 and 23'),
        ("'youth_in_care_share'", 'numerator', youth, none, jeugdhulp ~ ' and age_in_year between 1 and 23'),
        ("'jeugdbescherming_clients'", 'numerator', youth, none, "cbs_care_domain = 'jeugdbescherming'"),
        ("'jeugdreclassering_clients'", 'numerator', youth, none, "cbs_care_domain = 'jeugdreclassering'"),
        ("'trajectories_active'", 'numerator', 'trajectory_id', none, jeugdhulp),
        ("'residential_under_12'", 'numerator', youth, none, "care_form_code in ('13', '14') and age_in_year < 12"),
        ("'closed_placements'", 'numerator', youth, none, "care_form_code = '13'"),
        ("'turning_18_in_care'", 'numerator', youth, none, jeugdhulp ~ ' and age_in_year = 18'),
        ("'care_past_18'", 'numerator', youth, none, jeugdhulp ~ ' and age_in_year >= 19'),
        ("'cost_per_client'", 'denominator', youth, none, jeugdhulp),
        ("'cost_per_trajectory'", 'denominator', 'trajectory_id', none, jeugdhulp),
    ]) }}
    union all
    {%- set stay_members = [] %}
    {%- for kpi_id, care_forms in stay_share_kpis() %}
    {%- do stay_members.append(
        ("'" ~ kpi_id ~ "'", 'numerator', 'trajectory_id', none, 'care_form_code in ' ~ care_forms)
    ) %}
    {%- do stay_members.append(
        ("'" ~ kpi_id ~ "'", 'denominator', 'trajectory_id', none, 'care_form_code in ' ~ stay_care_forms())
    ) %}
    {%- endfor %}
    {{ kpi_contribution_rows('active', 'fct_trajectory', 'trajectory_id', stay_members) }}
    union all
    {%- set started_members = [("'trajectories_started'", 'numerator', 'trajectory_id', none, jeugdhulp)] %}
    {%- for kpi_id, condition in started_trajectory_kpis() %}
    {%- do started_members.append(("'" ~ kpi_id ~ "'", 'numerator', 'trajectory_id', none, condition)) %}
    {%- endfor %}
    {{ kpi_contribution_rows('started', 'fct_trajectory', 'trajectory_id', started_members) }}
    union all
    {{ kpi_contribution_rows('ended', 'fct_trajectory', 'trajectory_id', [
        ("'trajectories_ended'", 'numerator', 'trajectory_id', none, jeugdhulp),
    ]) }}
    union all
    {%- set cbs_reasons = "end_reason_code in ('31', '32', '33', '34', '35')" %}
    {{ kpi_contribution_rows('outcomes_ended', 'fct_trajectory', 'trajectory_id', [
        ("'mean_duration_days_ended'", 'numerator', 'trajectory_id', 'duration_days', 'true'),
        ("'mean_duration_days_ended'", 'denominator', 'trajectory_id', none, 'true'),
        ("'ended_long_duration_share'", 'numerator', 'trajectory_id', none, 'duration_days >= 365'),
        ("'ended_long_duration_share'", 'denominator', 'trajectory_id', none, 'true'),
        ("'ended_according_to_plan_share'", 'numerator', 'trajectory_id', none, "end_reason_code = '31'"),
        ("'ended_according_to_plan_share'", 'denominator', 'trajectory_id', none, cbs_reasons),
        ("'early_termination_share'", 'numerator', 'trajectory_id', none, "end_reason_code in ('32', '33')"),
        ("'early_termination_share'", 'denominator', 'trajectory_id', none, cbs_reasons),
        ("'ended_administrative_share'", 'numerator', 'trajectory_id', none,
            "end_reason_code in ('20', '36', '37', '38', '39')"),
        ("'ended_administrative_share'", 'denominator', 'trajectory_id', none, 'true'),
        ("'no_new_start_6m_share'", 'numerator', 'trajectory_id', none,
            'has_follow_up and not restarted_within_6_months'),
        ("'no_new_start_6m_share'", 'denominator', 'trajectory_id', none, 'has_follow_up'),
    ]) }}
    union all
    {{ kpi_contribution_rows('outcomes_started', 'fct_trajectory', 'trajectory_id', [
        ("'repeat_care_share'", 'numerator', 'trajectory_id', none, 'is_repeat'),
        ("'repeat_care_share'", 'denominator', 'trajectory_id', none, 'true'),
    ]) }}
)

select * from final

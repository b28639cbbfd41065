{#- Two kinds of inflow per scope and period of the trajectory's start (merged trajectories, fct_trajectory):
    trajectories_started_in_crisis, the starts whose first episode is a crisis product (iJw product category 46,
    fct_trajectory.started_in_crisis), and out_of_home_placements_started, the starts in a stay care form (11
    pleegzorg, 12 gezinshuis, 13 gesloten, 14 other residential care); the conditions are the macro
    started_trajectory_kpis. Rows where the scope started any trajectory. -#}
with trajectories as (
    select municipality_code, region_code, provider_agb, care_form_code, start_date, started_in_crisis
    from {{ ref('int_kpi_trajectories_described') }}
),

scoped as (
    {{ kpi_scopes('trajectories', ['care_form_code', 'start_date', 'started_in_crisis']) }}
),

periods as (
    select period_type, period, first_day, last_day from {{ ref('int_kpi_periods') }}
),

counts as (
    select
        scoped.scope_type,
        scoped.scope_code,
        periods.period_type,
        periods.period
        {%- for kpi_id, condition in started_trajectory_kpis() %},
        count(case when {{ condition }} then 1 end) as {{ kpi_id }}
        {%- endfor %}
    from scoped
    {{ kpi_periods_join('scoped', 'start_date') }}
    group by scoped.scope_type, scoped.scope_code, periods.period_type, periods.period
),

final as (
    {%- set levels = [] %}
    {%- for kpi_id, _condition in started_trajectory_kpis() %}
    {%- do levels.append((kpi_id, kpi_id)) %}
    {%- endfor %}
    {{ kpi_level_rows('counts', levels) }}
)

select * from final

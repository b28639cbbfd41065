{#- Two kinds of inflow per scope and period of the trajectory's start (merged trajectories, fct_trajectory):
    trajectories_started_in_crisis, the starts whose first episode is a crisis product (iJw product category 46,
    fct_trajectory.started_in_crisis), and out_of_home_placements_started, the starts in a stay care form (11
    pleegzorg, 12 gezinshuis, 13 gesloten, 14 other residential care). Rows where the scope started any trajectory. -#}
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
        periods.period,
        count(case when scoped.started_in_crisis then 1 end) as in_crisis,
        count(case when scoped.care_form_code in ('11', '12', '13', '14') then 1 end) as out_of_home
    from scoped
    inner join periods
        on scoped.start_date between periods.first_day and periods.last_day
    {{ kpi_covered_join('scoped', 'periods') }}
    group by scoped.scope_type, scoped.scope_code, periods.period_type, periods.period
),

final as (
    {{ kpi_level_rows('counts', [
        ('trajectories_started_in_crisis', 'in_crisis'),
        ('out_of_home_placements_started', 'out_of_home'),
    ]) }}
)

select * from final

{#- The periods KPIs are computed for: every quarter, half-year and year from the earliest to the latest date the
    iJw traffic holds. Capping at the latest date keeps open trajectories from counting in periods no message has
    reached yet; data_last_day is also the follow-up horizon of the outcome KPIs. -#}
with dates as (
    select * from {{ ref('dim_date') }}
),

traffic_dates as (
    select start_date as day from {{ ref('fct_trajectory') }}
    union all
    select end_date from {{ ref('fct_trajectory') }}
    union all
    select allocated_on from {{ ref('fct_referral') }}
    union all
    select period_start from {{ ref('fct_declaration_line') }}
),

data_range as (
    select
        min(day) as data_first_day,
        max(day) as data_last_day
    from traffic_dates
),

periods as (
    select 'quarter' as period_type, quarter as period, year, min(date_day) as first_day, max(date_day) as last_day
    from dates
    group by quarter, year
    union all
    select 'half_year', half_year, year, min(date_day), max(date_day)
    from dates
    group by half_year, year
    union all
    select 'year', cast(year as varchar), year, min(date_day), max(date_day)
    from dates
    group by year
),

final as (
    select
        periods.period_type,
        periods.period,
        periods.year as period_year,
        periods.first_day,
        periods.last_day,
        data_range.data_last_day
    from periods
    cross join data_range
    where periods.last_day >= data_range.data_first_day
        and periods.first_day <= data_range.data_last_day
)

select * from final

{#- How many signals of each status a report shows (the region's and its municipalities'), every status present with
    zero where none, most urgent first: the report's summary tiles. -#}
with rpt_periods as (
    select * from {{ ref('rpt_periods') }}
),

rpt_signals as (
    select * from {{ ref('rpt_signals') }}
),

statuses as (
    select 'red' as status
    union all
    select 'amber'
    union all
    select 'no_data'
    union all
    select 'green'
),

counted as (
    select
        region_code,
        quarter,
        status,
        count(*) as signal_count
    from rpt_signals
    group by region_code, quarter, status
),

final as (
    select
        rpt_periods.region_code,
        rpt_periods.quarter,
        statuses.status,
        {{ signal_status_order('statuses.status') }} as status_order,
        cast(coalesce(counted.signal_count, 0) as integer) as signal_count
    from rpt_periods
    cross join statuses
    left join counted
        on rpt_periods.region_code = counted.region_code
        and rpt_periods.quarter = counted.quarter
        and statuses.status = counted.status
)

select * from final

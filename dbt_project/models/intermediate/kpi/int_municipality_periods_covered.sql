{#- Which municipality's data covers which KPI period (docs/kpis.md, Coverage). A municipality delivered in a quarter
    when the warehouse holds declaration lines (JW323) for it whose product period starts in that quarter: care costs
    money every month, while the traffic from before a municipality's first deliveries is only the back history of
    care still running then (allocations and starts, never declarations), so levels there would be undercounts.
    covered: the period starts on or after the first day of the municipality's first delivered quarter and it
    delivered in at least one of the period's quarters; a KPI fact counts in a period only where its municipality
    covers it (macro kpi_covered_join). complete: it delivered in every quarter of the period up to the data's last
    day. Every municipality of a region counts (those known only from the national reference list left out, as in
    the population shares), and any other municipality that delivered. -#}
with periods as (
    select period_type, period, first_day, last_day, data_last_day from {{ ref('int_kpi_periods') }}
),

quarters as (
    select period as quarter, first_day, last_day, data_last_day from periods where period_type = 'quarter'
),

delivered as (
    select distinct fct_declaration_line.municipality_code, quarters.first_day as quarter_first_day
    from {{ ref('fct_declaration_line') }} as fct_declaration_line
    inner join quarters
        on fct_declaration_line.period_start between quarters.first_day and quarters.last_day
),

first_deliveries as (
    select municipality_code, min(quarter_first_day) as first_delivered_day
    from delivered
    group by municipality_code
),

municipalities as (
    select dim_municipality.municipality_code, dim_municipality.region_code, first_deliveries.first_delivered_day
    from {{ ref('dim_municipality') }} as dim_municipality
    left join first_deliveries
        on dim_municipality.municipality_code = first_deliveries.municipality_code
    where dim_municipality.known_from <> 'cbs_reference' or first_deliveries.municipality_code is not null
),

period_quarters as (
    select
        municipalities.municipality_code,
        periods.period_type,
        periods.period,
        count(quarters.quarter) as quarters_in_period,
        count(delivered.municipality_code) as quarters_delivered
    from municipalities
    cross join periods
    inner join quarters
        on quarters.first_day between periods.first_day and periods.last_day
        and periods.data_last_day >= quarters.first_day
    left join delivered
        on municipalities.municipality_code = delivered.municipality_code
        and quarters.first_day = delivered.quarter_first_day
    group by municipalities.municipality_code, periods.period_type, periods.period
),

final as (
    select
        municipalities.municipality_code,
        municipalities.region_code,
        periods.period_type,
        periods.period,
        periods.first_day,
        periods.last_day,
        municipalities.first_delivered_day,
        cast(period_quarters.quarters_in_period as integer) as quarters_in_period,
        cast(period_quarters.quarters_delivered as integer) as quarters_delivered,
        coalesce(
            periods.first_day >= municipalities.first_delivered_day and period_quarters.quarters_delivered > 0, false
        ) as is_covered,
        period_quarters.quarters_delivered = period_quarters.quarters_in_period as is_complete
    from municipalities
    cross join periods
    inner join period_quarters
        on municipalities.municipality_code = period_quarters.municipality_code
        and periods.period_type = period_quarters.period_type
        and periods.period = period_quarters.period
)

select * from final

{#- The region-scope KPI values of a report's quarter for KPIs without a signal (no target in the catalogue): the
    report's "kengetallen zonder norm", by policy goal and name. A row of rpt_kpi_rows without a signal has no
    status. -#}
with rpt_kpi_rows as (
    select * from {{ ref('rpt_kpi_rows') }}
),

final as (
    select
        region_code, quarter,
        kpi_id,
        name_nl,
        value,
        unit,
        lookback_complete,
        lever,
        policy_goal,
        cast(row_number() over (
            partition by region_code, quarter
            order by policy_goal, name_nl, kpi_id
        ) as integer) as row_order
    from rpt_kpi_rows
    where scope_type = 'region' and status is null
)

select * from final

{#- The (region, quarter) pairs a quarterly report is written for: every region with KPI values in one of the latest
    four quarters with data of any region. Four: every quarter of the latest year, and at the start of a year the
    quarters of the year before that the trend lines span, so a late declaration reaches each report that shows its
    quarter. -#}
with kpi_values as (
    select * from {{ ref('public_kpi_values') }}
),

dim_region as (
    select * from {{ ref('public_dim_region') }}
),

dim_date as (
    select * from {{ ref('public_dim_date') }}
),

region_quarters as (
    select distinct
        scope_code as region_code,
        period as quarter
    from kpi_values
    where scope_type = 'region' and period_type = 'quarter'
),

latest_quarters as (
    select distinct quarter
    from region_quarters
    order by quarter desc
    limit 4
),

quarter_years as (
    select distinct
        quarter,
        year
    from dim_date
),

final as (
    select
        region_quarters.region_code,
        coalesce(dim_region.region_name, region_quarters.region_code) as region_name,
        region_quarters.quarter,
        quarter_years.year
    from region_quarters
    inner join latest_quarters on region_quarters.quarter = latest_quarters.quarter
    inner join quarter_years on region_quarters.quarter = quarter_years.quarter
    left join dim_region on region_quarters.region_code = dim_region.region_code
)

select * from final

{#- The referrer KPIs (allocations of the quarter per referrer type of the JW315, docs/kpis.md) of a reported region
    and its municipalities, as published: a withheld count stays withheld. The referrer of a KPI is the COD327 code
    its id is built from (int_kpi_referrals_counted), matched as a whole id. referrer_order puts the referrer with
    most referrals in the region first. -#}
with kpi_values as (
    select * from {{ ref('public_kpi_values') }}
),

dim_referrer as (
    select * from {{ ref('public_dim_referrer') }}
),

dim_municipality as (
    select * from {{ ref('public_dim_municipality') }}
),

rpt_periods as (
    select * from {{ ref('rpt_periods') }}
),

referrer_kpis as (
    select
        'referrer_share_' || referrer_type_code as kpi_id,
        referrer_type_code,
        coalesce(referrer_type_name_nl, referrer_type_code) as referrer_name
    from dim_referrer
),

referrals as (
    select
        rpt_periods.region_code,
        rpt_periods.quarter,
        referrer_kpis.referrer_type_code,
        referrer_kpis.referrer_name,
        kpi_values.scope_type,
        kpi_values.scope_code,
        kpi_values.numerator as referrals,
        kpi_values.denominator as allocations,
        kpi_values.value as share
    from kpi_values
    inner join referrer_kpis on kpi_values.kpi_id = referrer_kpis.kpi_id
    left join dim_municipality
        on kpi_values.scope_type = 'municipality'
        and kpi_values.scope_code = dim_municipality.municipality_code
    inner join rpt_periods
        on case kpi_values.scope_type
            when 'region' then kpi_values.scope_code
            when 'municipality' then dim_municipality.region_code
        end = rpt_periods.region_code
        and kpi_values.period = rpt_periods.quarter
    where kpi_values.period_type = 'quarter'
),

region_referrals as (
    select
        region_code,
        quarter,
        referrer_type_code,
        cast(dense_rank() over (
            partition by region_code, quarter
            order by coalesce(max(case when scope_type = 'region' then referrals end), 0) desc, referrer_type_code
        ) as integer) as referrer_order
    from referrals
    group by region_code, quarter, referrer_type_code
),

final as (
    select
        referrals.region_code,
        referrals.quarter,
        referrals.referrer_type_code,
        referrals.referrer_name,
        referrals.scope_type,
        referrals.scope_code,
        referrals.referrals,
        referrals.allocations,
        referrals.share,
        region_referrals.referrer_order
    from referrals
    inner join region_referrals
        on referrals.region_code = region_referrals.region_code
        and referrals.quarter = region_referrals.quarter
        and referrals.referrer_type_code = region_referrals.referrer_type_code
)

select * from final

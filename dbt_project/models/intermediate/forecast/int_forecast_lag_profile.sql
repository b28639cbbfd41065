{#- The declaration lag profile, learned from the warehouse as it stood at the cut (docs/budget-forecast.md):
    for development age a = 0 .. maturity - 1 months after the service month, share_declared is the share of the
    final net cost of the mature service months (at least forecast_maturity_months old at the cut, whose cost counts
    as final) that was declared by the end of month service_month + a. Pooled over every municipality, provider
    and perceel and weighted by cost (the volume-weighted chain ladder): completion_factor = 1 / share_declared,
    development_factor = share(a + 1) / share(a). No mature month yet: no row, and the forecast uses no correction. -#}
{%- set maturity = var('forecast_maturity_months', 6) %}
with costs as (
    select * from {{ ref('int_forecast_costs_developed') }}
),

as_of as (
    select * from {{ ref('int_forecast_as_of') }}
),

mature as (
    select
        costs.service_month_index,
        costs.declaration_month_index - costs.service_month_index as lag_months,
        costs.net_cents
    from costs
    cross join as_of
    where costs.declaration_date <= as_of.cut_day
        and as_of.cut_month_index - costs.service_month_index >= {{ maturity }}
),

ages as (
    {%- for age in range(maturity) %}
    select {{ age }} as age_months
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

totals as (
    select
        sum(net_cents) as final_cents,
        count(distinct service_month_index) as months_learned
    from mature
),

declared_by_age as (
    select
        ages.age_months,
        sum(case when mature.lag_months <= ages.age_months then mature.net_cents else 0 end) as declared_cents
    from ages
    cross join mature
    group by ages.age_months
),

shares as (
    select
        declared_by_age.age_months,
        1.0 * declared_by_age.declared_cents / totals.final_cents as share_declared,
        totals.months_learned
    from declared_by_age
    cross join totals
    where totals.final_cents > 0
),

final as (
    select
        shares.age_months,
        shares.share_declared,
        case when shares.share_declared > 0 then 1.0 / shares.share_declared end as completion_factor,
        case
            when shares.share_declared > 0
                then coalesce(following.share_declared, 1.0) / shares.share_declared
        end as development_factor,
        shares.months_learned
    from shares
    left join shares as following
        on following.age_months = shares.age_months + 1
)

select * from final

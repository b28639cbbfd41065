{#- The cost variance of a reported region into the report's quarter against the same quarter a year earlier: the
    region total (care_form_code null) first, then each care form by the size of its change. change_share is the
    change as a fraction of the earlier cost (null when that cost is zero). -#}
with cost_variance as (
    select * from {{ ref('public_cost_variance') }}
),

dim_care_form as (
    select * from {{ ref('public_dim_care_form') }}
),

rpt_periods as (
    select * from {{ ref('rpt_periods') }}
),

final as (
    select
        rpt_periods.region_code, rpt_periods.quarter,
        cost_variance.care_form_code,
        coalesce(dim_care_form.care_form_name_nl, cost_variance.care_form_code) as care_form_name,
        cost_variance.period_from,
        cost_variance.period_to,
        cost_variance.cost_from_cents,
        cost_variance.cost_to_cents,
        cost_variance.change_cents,
        cost_variance.volume_effect_cents,
        cost_variance.mix_effect_cents,
        cost_variance.intensity_effect_cents,
        cost_variance.price_effect_cents,
        cast(cost_variance.change_cents as double precision) / nullif(cost_variance.cost_from_cents, 0) as change_share,
        cost_variance.care_form_code is null as is_region_total,
        cast(row_number() over (
            partition by rpt_periods.region_code, rpt_periods.quarter
            order by
                cost_variance.care_form_code is not null,
                abs(cost_variance.change_cents) desc,
                cost_variance.care_form_code,
                cost_variance.period_from asc
        ) as integer) as row_order
    from cost_variance
    inner join rpt_periods
        on cost_variance.region_code = rpt_periods.region_code
        and cost_variance.period_to = rpt_periods.quarter
    left join dim_care_form on cost_variance.care_form_code = dim_care_form.care_form_code
    where cost_variance.period_type = 'quarter'
)

select * from final

{#- The factors of cost per region, care form and period (quarter, year), from the accepted declaration lines
    (credits netted, by the product period's start, as net_declared_cost):

        cost = youths x (care-form youths / youths) x (trajectories / care-form youths)
               x (units / trajectories) x (cost / units)
             = volume x mix x trajectories per youth x units per trajectory x price

    youths: distinct clients declared for in the region (in any care form); care-form youths: those declared for in
    the care form; trajectories: distinct client x provider pairs declared for in the care form (the CBS trajectory is
    one client, provider and care form); units: the declared volume, time units in hours (wj756_units
    minutes_per_unit; an etmaal counts 24 hours), pieces (82, 84) and euros (83) as declared, credits negative.
    Lines whose product has no care form are left out. docs/steering.md has the rules for zeros. -#}
with lines as (
    select
        fct_declaration_line.client_key,
        fct_declaration_line.provider_agb,
        dim_municipality.region_code,
        dim_product.care_form_code,
        fct_declaration_line.period_start,
        fct_declaration_line.amount_cents,
        -- In minutes, a piece as 60 so that it is one unit again below: integers add up exactly in any order, where
        -- a sum of fractions of an hour in doubles changes in its last bits with the order a parallel scan gives.
        case when fct_declaration_line.debit_credit = 'C' then -1 else 1 end
            * fct_declaration_line.volume
            * case
                when fct_declaration_line.unit_code = '14' then 1440
                when units.minutes_per_unit is not null then units.minutes_per_unit
                else 60
            end as unit_minutes
    from {{ ref('fct_declaration_line') }} as fct_declaration_line
    inner join {{ ref('dim_municipality') }} as dim_municipality
        on fct_declaration_line.municipality_code = dim_municipality.municipality_code
    inner join {{ ref('dim_product') }} as dim_product
        on fct_declaration_line.product_code = dim_product.product_code
    left join {{ ref('wj756_units') }} as units
        on fct_declaration_line.unit_code = units.unit_code
    where dim_product.care_form_code is not null
),

periods as (
    select period_type, period, first_day, last_day
    from {{ ref('int_kpi_periods') }}
    where period_type in ('quarter', 'year')
),

in_period as (
    select
        periods.period_type,
        periods.period,
        lines.*
    from lines
    inner join periods
        on lines.period_start between periods.first_day and periods.last_day
),

region_youths as (
    select period_type, period, region_code, count(distinct client_key) as youths
    from in_period
    group by period_type, period, region_code
),

care_forms as (
    select
        period_type,
        period,
        region_code,
        care_form_code,
        sum(amount_cents) as cost_cents,
        count(distinct client_key) as care_form_youths,
        count(distinct client_key || '|' || provider_agb) as trajectories,
        sum(unit_minutes) / 60.0 as units
    from in_period
    group by period_type, period, region_code, care_form_code
),

final as (
    select
        care_forms.period_type,
        care_forms.period,
        care_forms.region_code,
        care_forms.care_form_code,
        care_forms.cost_cents,
        region_youths.youths,
        care_forms.care_form_youths,
        care_forms.trajectories,
        -- Units that net to zero under a cost that does not (a credited volume, an amount-only correction) would
        -- break cost = product of the factors; such a period counts one unit per trajectory.
        case
            when care_forms.units = 0 and care_forms.cost_cents <> 0
                then cast(care_forms.trajectories as double precision)
            else care_forms.units
        end as units
    from care_forms
    inner join region_youths
        on care_forms.period_type = region_youths.period_type
        and care_forms.period = region_youths.period
        and care_forms.region_code = region_youths.region_code
)

select * from final

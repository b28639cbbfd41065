{#- The change in cost between a period and the same period a year earlier, per region and care form, split into
    volume, mix, intensity (trajectories per youth, units per trajectory) and price effects that add up exactly to
    the change in integer cents on every row. Method (docs/steering.md): cost is the product of five factors
    (int_cost_variance_factors); each factor's effect is its Shapley effect (macro shapley_effect), which adds up to
    the change exactly in real numbers; the five are then rounded to cents by largest remainder so the integers add up
    too. A factor undefined in one period (a care form or region without declarations, no units) takes its value from
    the other period, so a care form that appears or disappears changes only through volume and mix. Region-total rows
    (care_form_code null) are the sums of the region's care-form rows. A region gets rows for a pair of periods only when
    it has declarations in both. -#}
{%- set factors = ['volume', 'mix', 'trajectories_per_youth', 'units_per_trajectory', 'price'] %}
{%- set sides = ['from', 'to'] %}
{#- A decomposition's row: a pair of periods of a region and care form, with its cost in each. -#}
{%- set decomposition = [
    'period_type', 'period_from', 'period_to', 'region_code', 'care_form_code', 'cost_from_cents', 'cost_to_cents'
] %}
with factors as (
    select * from {{ ref('int_cost_variance_factors') }}
),

periods as (
    select distinct period_type, period
    from {{ ref('int_kpi_periods') }}
    where period_type in ('quarter', 'year')
),

period_pairs as (
    select
        current_period.period_type,
        previous_period.period as period_from,
        current_period.period as period_to
    from periods as current_period
    inner join periods as previous_period
        on current_period.period_type = previous_period.period_type
        and previous_period.period
            = cast(cast(substr(current_period.period, 1, 4) as integer) - 1 as varchar)
            || substr(current_period.period, 5)
),

region_youths as (
    select distinct period_type, period, region_code, youths
    from factors
),

-- A region without declarations in one of the two periods has no data to compare, not a change in volume.
region_pairs as (
    select
        period_pairs.period_type,
        period_pairs.period_from,
        period_pairs.period_to,
        region_youths.region_code
    from period_pairs
    inner join region_youths
        on period_pairs.period_type = region_youths.period_type
        and region_youths.period in (period_pairs.period_from, period_pairs.period_to)
    group by period_pairs.period_type, period_pairs.period_from, period_pairs.period_to, region_youths.region_code
    having count(*) = 2
),

row_keys as (
    select distinct
        region_pairs.period_type,
        region_pairs.period_from,
        region_pairs.period_to,
        region_pairs.region_code,
        factors.care_form_code
    from region_pairs
    inner join factors
        on region_pairs.period_type = factors.period_type
        and region_pairs.region_code = factors.region_code
        and factors.period in (region_pairs.period_from, region_pairs.period_to)
),

observed as (
    select
        row_keys.*
        {%- for side in sides %},
        coalesce(cost_{{ side }}.cost_cents, 0) as cost_{{ side }}_cents,
        cast(coalesce(youths_{{ side }}.youths, 0) as double precision) as volume_{{ side }}_observed,
        1.0 * coalesce(cost_{{ side }}.care_form_youths, 0) / nullif(youths_{{ side }}.youths, 0)
            as mix_{{ side }}_observed,
        1.0 * cost_{{ side }}.trajectories / nullif(cost_{{ side }}.care_form_youths, 0)
            as trajectories_per_youth_{{ side }}_observed,
        cost_{{ side }}.units / nullif(cost_{{ side }}.trajectories, 0) as units_per_trajectory_{{ side }}_observed,
        cost_{{ side }}.cost_cents / nullif(cost_{{ side }}.units, 0) as price_{{ side }}_observed
        {%- endfor %}
    from row_keys
    {%- for side in sides %}
    left join factors as cost_{{ side }}
        on row_keys.period_type = cost_{{ side }}.period_type
        and row_keys.period_{{ side }} = cost_{{ side }}.period
        and row_keys.region_code = cost_{{ side }}.region_code
        and row_keys.care_form_code = cost_{{ side }}.care_form_code
    left join region_youths as youths_{{ side }}
        on row_keys.period_type = youths_{{ side }}.period_type
        and row_keys.period_{{ side }} = youths_{{ side }}.period
        and row_keys.region_code = youths_{{ side }}.region_code
    {%- endfor %}
),

completed as (
    select
        {{ decomposition | join(', ') }},
        {%- for factor in factors %}
        coalesce({{ factor }}_from_observed, {{ factor }}_to_observed, 0) as {{ factor }}_from,
        coalesce({{ factor }}_to_observed, {{ factor }}_from_observed, 0) as {{ factor }}_to{{ ',' if not loop.last }}
        {%- endfor %}
    from observed
),

effects as (
    select
        {{ decomposition | join(', ') }},
        {%- for factor in factors %}
        {{ shapley_effect(factors, factor) }} as {{ factor }}_effect{{ ',' if not loop.last }}
        {%- endfor %}
    from completed
),

effects_long as (
    {%- for factor in factors %}
    select
        {{ decomposition | join(', ') }},
        {{ loop.index }} as factor_order,
        '{{ factor }}' as factor,
        -- Whole cents and remainders of the effect rounded to nine decimals: a double's last bits differ between
        -- targets and orders of addition, and must neither move a floor nor reorder two equal remainders.
        cast(floor({{ rounded(factor ~ '_effect', 9) }}) as bigint) as floor_cents,
        {{ rounded(factor ~ '_effect', 9) }} - floor({{ rounded(factor ~ '_effect', 9) }}) as remainder
    from effects
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

remainders_ranked as (
    select
        effects_long.*,
        effects_long.cost_to_cents - effects_long.cost_from_cents
            - sum(effects_long.floor_cents) over decomposition as cents_to_allocate,
        row_number() over (
            decomposition order by effects_long.remainder desc, effects_long.factor_order asc
        ) as remainder_rank
    from effects_long
    -- One decomposition: a period pair of a region and care form.
    window decomposition as (
        partition by
            effects_long.period_type, effects_long.period_from, effects_long.period_to, effects_long.region_code,
            effects_long.care_form_code
    )
),

rounded as (
    select
        {{ decomposition | join(', ') }},
        {%- for factor in factors %}
        sum(
            case when factor = '{{ factor }}'
                then floor_cents + case when remainder_rank <= cents_to_allocate then 1 else 0 end
            end
        ) as {{ factor }}_cents{{ ',' if not loop.last }}
        {%- endfor %}
    from remainders_ranked
    group by {{ decomposition | join(', ') }}
),

with_totals as (
    select * from rounded
    union all
    select
        period_type,
        period_from,
        period_to,
        region_code,
        cast(null as varchar) as care_form_code,
        sum(cost_from_cents),
        sum(cost_to_cents),
        {%- for factor in factors %}
        sum({{ factor }}_cents){{ ',' if not loop.last }}
        {%- endfor %}
    from rounded
    group by period_type, period_from, period_to, region_code
),

final as (
    select
        region_code,
        care_form_code,
        period_type,
        period_from,
        period_to,
        cast(cost_from_cents as bigint) as cost_from_cents,
        cast(cost_to_cents as bigint) as cost_to_cents,
        cast(cost_to_cents - cost_from_cents as bigint) as change_cents,
        cast(volume_cents as bigint) as volume_effect_cents,
        cast(mix_cents as bigint) as mix_effect_cents,
        cast(trajectories_per_youth_cents + units_per_trajectory_cents as bigint) as intensity_effect_cents,
        cast(trajectories_per_youth_cents as bigint) as intensity_trajectories_effect_cents,
        cast(units_per_trajectory_cents as bigint) as intensity_units_effect_cents,
        cast(price_cents as bigint) as price_effect_cents
    from with_totals
)

select * from final

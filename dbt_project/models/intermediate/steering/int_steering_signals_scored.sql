{#- Every KPI with a target, per scope and quarter, against its effective target and band, with status, severity
    and trend (docs/steering.md defines each). The grid is every quarter of the data x every scope the KPI has a
    quarterly value for in any quarter, so a quarter without a value shows as no_data rather than vanishing.
    Effective target: the region's own (seed region_kpi_targets, for the region and its municipalities), else the
    catalogue's default; each of target, band_low and band_high falls back on its own, and a missing band edge is the
    target itself (no amber zone on that side). A region target with a base_year ("x% less than 2017") states its
    target and band as percent changes on the scope's value of the same quarter of the base year, which become the
    quarter's target band; without that value (not in the warehouse, or withheld) the target is unknown and the
    signal no_data (no_base_year_value), never a target made up from something else. -#}
with catalogue as (
    select
        kpi_id, name_nl, unit, numerator_kind, denominator_kind, direction, default_target, band_low, band_high,
        lever, policy_goal
    from {{ ref('dim_kpi') }}
),

region_targets as (
    select region_code, kpi_id, target, band_low, band_high, base_year
    from {{ ref('region_kpi_targets') }}
),

quarters as (
    select
        period,
        4 * cast(substr(period, 1, 4) as integer) + cast(substr(period, 7, 1) as integer) - 1 as quarter_index
    from {{ ref('int_kpi_periods') }}
    where period_type = 'quarter'
),

quarterly_values as (
    select
        kpi_values.kpi_id,
        kpi_values.scope_type,
        kpi_values.scope_code,
        kpi_values.period,
        kpi_values.value,
        {{ suppressed_in_publication('kpi_values', 'catalogue') }} as suppressed_in_publication
    from {{ ref('kpi_values') }} as kpi_values
    inner join catalogue
        on kpi_values.kpi_id = catalogue.kpi_id
    where kpi_values.period_type = 'quarter'
        -- A size class is a comparison beside a municipality (the report's Grootteklasse column), nobody steers it.
        and kpi_values.scope_type <> 'size_class'
),

scopes as (
    select distinct
        quarterly_values.kpi_id,
        quarterly_values.scope_type,
        quarterly_values.scope_code,
        case quarterly_values.scope_type
            when 'region' then quarterly_values.scope_code
            when 'municipality' then dim_municipality.region_code
        end as region_code
    from quarterly_values
    left join {{ ref('dim_municipality') }} as dim_municipality
        on quarterly_values.scope_type = 'municipality'
        and quarterly_values.scope_code = dim_municipality.municipality_code
),

targeted as (
    select
        scopes.kpi_id,
        scopes.scope_type,
        scopes.scope_code,
        scopes.region_code,
        catalogue.name_nl,
        catalogue.direction,
        catalogue.lever,
        catalogue.policy_goal,
        case
            when region_targets.base_year is not null then 'region_base_year'
            when region_targets.target is not null then 'region'
            else 'catalogue'
        end as target_source,
        region_targets.base_year,
        cast(coalesce(region_targets.target, catalogue.default_target) as double precision) as target,
        -- A change on a base year falls back on its own target only: the catalogue's band is in the KPI's unit.
        cast(case
            when region_targets.base_year is not null then coalesce(region_targets.band_low, region_targets.target)
            else coalesce(region_targets.band_low, catalogue.band_low, region_targets.target, catalogue.default_target)
        end as double precision) as band_low,
        cast(case
            when region_targets.base_year is not null then coalesce(region_targets.band_high, region_targets.target)
            else coalesce(
                region_targets.band_high, catalogue.band_high, region_targets.target, catalogue.default_target
            )
        end as double precision) as band_high
    from scopes
    inner join catalogue
        on scopes.kpi_id = catalogue.kpi_id
    left join region_targets
        on scopes.kpi_id = region_targets.kpi_id
        and scopes.region_code = region_targets.region_code
    where coalesce(region_targets.target, catalogue.default_target) is not null
),

-- The base year's value of the same quarter, as published (a withheld value would show through a target on it).
base_values as (
    select
        targeted.kpi_id,
        targeted.scope_type,
        targeted.scope_code,
        quarters.period,
        case when base.suppressed_in_publication then null else base.value end as base_value
    from targeted
    cross join quarters
    left join quarterly_values as base
        on targeted.kpi_id = base.kpi_id
        and targeted.scope_type = base.scope_type
        and targeted.scope_code = base.scope_code
        and base.period = cast(targeted.base_year as varchar) || substr(quarters.period, 5)
    where targeted.base_year is not null
),

grid as (
    select
        targeted.kpi_id,
        targeted.scope_type,
        targeted.scope_code,
        targeted.region_code,
        targeted.name_nl,
        targeted.direction,
        targeted.lever,
        targeted.policy_goal,
        targeted.target_source,
        {% for column in ['target', 'band_low', 'band_high'] -%}
        case
            when targeted.base_year is null then targeted.{{ column }}
            else base_values.base_value * (1 + targeted.{{ column }} / 100.0)
        end as {{ column }},
        {% endfor -%}
        targeted.base_year is not null and base_values.base_value is null as base_value_missing,
        quarters.period,
        quarters.quarter_index,
        quarterly_values.value as exact_value,
        coalesce(quarterly_values.suppressed_in_publication, false) as suppressed_in_publication,
        -- What may be shown: the publication withholds small counts, so the signal does too.
        case when quarterly_values.suppressed_in_publication then null else quarterly_values.value end as value
    from targeted
    cross join quarters
    left join quarterly_values
        on targeted.kpi_id = quarterly_values.kpi_id
        and targeted.scope_type = quarterly_values.scope_type
        and targeted.scope_code = quarterly_values.scope_code
        and quarters.period = quarterly_values.period
    left join base_values
        on targeted.kpi_id = base_values.kpi_id
        and targeted.scope_type = base_values.scope_type
        and targeted.scope_code = base_values.scope_code
        and quarters.period = base_values.period
),

trend_window as (
    select
        grid.kpi_id,
        grid.scope_type,
        grid.scope_code,
        grid.period,
        earlier.value,
        earlier.quarter_index - grid.quarter_index + 3 as x
    from grid
    inner join grid as earlier
        on grid.kpi_id = earlier.kpi_id
        and grid.scope_type = earlier.scope_type
        and grid.scope_code = earlier.scope_code
        and earlier.quarter_index between grid.quarter_index - 3 and grid.quarter_index
),

trend_fit as (
    select
        kpi_id,
        scope_type,
        scope_code,
        period,
        count(value) as points,
        -- The values summed in quarter order: a sum of doubles changes in its last bits with the order of its terms.
        avg(value order by x) as mean_value,
        (
            count(value) * sum(x * value order by x)
            - sum(case when value is not null then x end) * sum(value order by x)
        )
            / nullif(
                count(value) * sum(case when value is not null then x * x end)
                - sum(case when value is not null then x end) * sum(case when value is not null then x end),
                0
            ) as slope,
        '[' || {% for offset in range(4) -%}
            coalesce(
                cast(
                    cast(
                        {{ rounded('max(case when x = ' ~ offset ~ ' then value end)', 4) }} as decimal(18, 4)
                    ) as varchar
                ),
                'null'
            )
            {{- " || ',' || " if not loop.last }}
        {%- endfor %} || ']' as trend_values
    from trend_window
    group by kpi_id, scope_type, scope_code, period
),

scored as (
    select
        grid.kpi_id,
        grid.name_nl,
        grid.scope_type,
        grid.scope_code,
        grid.region_code,
        grid.period,
        grid.value,
        grid.target,
        grid.band_low,
        grid.band_high,
        grid.direction,
        grid.target_source,
        case
            when grid.value is null or grid.base_value_missing then 'no_data'
            when grid.direction = 'lower_is_better' and grid.value <= grid.target then 'green'
            when grid.direction = 'lower_is_better' and grid.value <= grid.band_high then 'amber'
            when grid.direction = 'lower_is_better' then 'red'
            when grid.value >= grid.target then 'green'
            when grid.value >= grid.band_low then 'amber'
            else 'red'
        end as status,
        case
            when grid.exact_value is null then 'missing'
            when grid.suppressed_in_publication then 'suppressed'
            when grid.base_value_missing then 'no_base_year_value'
        end as no_data_reason,
        -- Distance from the target in band widths on the deviation's side (amber in (0, 1], red beyond 1); a band
        -- of zero width (a zero target) measures in the KPI's own unit.
        case
            when grid.value is null or grid.base_value_missing then null
            when grid.direction = 'lower_is_better'
                then greatest(grid.value - grid.target, 0)
                / coalesce(nullif(grid.band_high - grid.target, 0), 1)
            else greatest(grid.target - grid.value, 0) / coalesce(nullif(grid.target - grid.band_low, 0), 1)
        end as severity,
        grid.lever,
        grid.policy_goal,
        case
            when trend_fit.points < 3 or trend_fit.slope is null then 'insufficient_data'
            -- Stable: the fitted change over the three quarter steps is within 5% of the band's width or of the
            -- window's mean level, whichever is larger.
            when abs(trend_fit.slope) * 3
                <= 0.05 * greatest(grid.band_high - grid.band_low, abs(trend_fit.mean_value)) then 'stable'
            when (trend_fit.slope < 0) = (grid.direction = 'lower_is_better') then 'improving'
            else 'worsening'
        end as trend,
        trend_fit.slope as trend_slope,
        trend_fit.trend_values
    from grid
    inner join trend_fit
        on {{ same_kpi_scope_period('grid', 'trend_fit') }}
)

select * from scored

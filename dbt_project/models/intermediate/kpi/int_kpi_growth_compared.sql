{#- Growth of the level KPIs against the same period one year earlier ('2024-Q3' against '2023-Q3'), as their own
    kpi_id (<kpi>_growth): numerator this period's level, denominator last year's, value the change in percent.
    No row when last year's level is missing or zero, nor when the municipalities covering the scope differ between
    the two periods (a region, a size class, or for providers and care forms the whole warehouse,
    int_municipality_periods_covered):
    a municipality's first deliveries are not growth. -#}
with levels as (
    select kpi_id, scope_type, scope_code, period_type, period, numerator
    from {{ ref('int_kpi_trajectories_counted') }}
    where kpi_id in ('clients_in_care', 'trajectories_started')
    union all
    select kpi_id, scope_type, scope_code, period_type, period, numerator
    from {{ ref('int_kpi_costs_summed') }}
    where kpi_id = 'net_declared_cost'
),

covered as (
    select coverage.region_code, size_classes.size_class_code, coverage.municipality_code, coverage.period_type,
        coverage.period
    from {{ ref('int_municipality_periods_covered') }} as coverage
    left join {{ ref('int_municipality_size_classes') }} as size_classes
        on coverage.municipality_code = size_classes.municipality_code
    where coverage.is_covered
),

coverage_members as (
    select 'region' as scope_type, region_code as coverage_code, municipality_code, period_type, period
    from covered
    union all
    select 'size_class', size_class_code, municipality_code, period_type, period
    from covered
    where size_class_code is not null
    union all
    select 'warehouse', 'all', municipality_code, period_type, period
    from covered
),

coverage_sets as (
    select
        scope_type,
        coverage_code,
        period_type,
        period,
        {{ dbt.listagg('municipality_code', "','", 'order by municipality_code') }} as municipalities
    from coverage_members
    group by scope_type, coverage_code, period_type, period
),

with_previous_period as (
    select
        levels.*,
        cast(cast(substr(levels.period, 1, 4) as integer) - 1 as varchar)
            || substr(levels.period, 5) as previous_period
    from levels
),

final as (
    select
        current_level.kpi_id || '_growth' as kpi_id,
        current_level.scope_type,
        current_level.scope_code,
        current_level.period_type,
        current_level.period,
        current_level.numerator,
        previous_level.numerator as denominator,
        100.0 * (1.0 * current_level.numerator / previous_level.numerator - 1) as value
    from with_previous_period as current_level
    inner join levels as previous_level
        on current_level.kpi_id = previous_level.kpi_id
        and current_level.scope_type = previous_level.scope_type
        and current_level.scope_code = previous_level.scope_code
        and current_level.period_type = previous_level.period_type
        and current_level.previous_period = previous_level.period
    left join coverage_sets as current_coverage
        on current_level.period_type = current_coverage.period_type
        and current_level.period = current_coverage.period
        and current_coverage.scope_type = case
            when current_level.scope_type in ('region', 'size_class') then current_level.scope_type else 'warehouse'
        end
        and current_coverage.coverage_code = case
            when current_level.scope_type in ('region', 'size_class') then current_level.scope_code else 'all'
        end
    left join coverage_sets as previous_coverage
        on current_coverage.scope_type = previous_coverage.scope_type
        and current_coverage.coverage_code = previous_coverage.coverage_code
        and current_level.period_type = previous_coverage.period_type
        and current_level.previous_period = previous_coverage.period
    where previous_level.numerator > 0
        and (
            current_level.scope_type in ('municipality', 'municipality_provider', 'municipality_care_form')
            or current_coverage.municipalities = previous_coverage.municipalities
        )
)

select * from final

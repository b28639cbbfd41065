{#- realisation_share (verzilvering): declared volume over allocated volume, per scope and period, in percent, summed
    over the volume allocations of int_kpi_allocations_realised (which says how each is pro-rated and converted). -#}
with per_allocation as (
    select * from {{ ref('int_kpi_allocations_realised') }}
),

scoped as (
    {{ kpi_scopes('per_allocation', ['period_type', 'period', 'allocated_volume', 'declared_volume']) }}
),

final as (
    select
        'realisation_share' as kpi_id,
        scoped.scope_type,
        scoped.scope_code,
        scoped.period_type,
        scoped.period,
        sum(scoped.declared_volume) as numerator,
        sum(scoped.allocated_volume) as denominator,
        100.0 * sum(scoped.declared_volume) / sum(scoped.allocated_volume) as value
    from scoped
    {{ kpi_covered_join('scoped', 'scoped') }}
    group by scoped.scope_type, scoped.scope_code, scoped.period_type, scoped.period
    having sum(scoped.allocated_volume) > 0
)

select * from final

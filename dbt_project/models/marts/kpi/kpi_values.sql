{#- Long-format KPI values (DESIGN.md section 4). First KPI: net declared cost, the signed sum of accepted
    declaration lines by the quarter of their product period, so a credit lands in the quarter of the debit it
    corrects. -#}
with declaration_lines as (
    select * from {{ ref('fct_declaration_line') }}
),

municipalities as (
    select * from {{ ref('dim_municipality') }}
),

lines_by_quarter as (
    select
        declaration_lines.municipality_code,
        municipalities.region_code,
        {{ period_code('declaration_lines.period_start', 'quarter') }} as period,
        declaration_lines.amount_cents
    from declaration_lines
    inner join municipalities
        on declaration_lines.municipality_code = municipalities.municipality_code
),

per_municipality as (
    select
        'municipality' as scope_type,
        municipality_code as scope_code,
        period,
        sum(amount_cents) as net_cents
    from lines_by_quarter
    group by municipality_code, period
),

per_region as (
    select
        'region' as scope_type,
        region_code as scope_code,
        period,
        sum(amount_cents) as net_cents
    from lines_by_quarter
    group by region_code, period
),

scoped as (
    select * from per_municipality
    union all
    select * from per_region
),

final as (
    select
        'net_declared_cost' as kpi_id,
        scope_type,
        scope_code,
        'quarter' as period_type,
        period,
        cast(net_cents / 100.0 as decimal(18, 2)) as value,
        cast(net_cents as decimal(18, 2)) as numerator,
        cast(null as decimal(18, 2)) as denominator,
        'EUR' as unit,
        false as suppressed
    from scoped
)

select * from final

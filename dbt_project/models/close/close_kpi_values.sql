{#- The KPI values a quarterly close freezes: every quarterly value of a region and of its municipalities, exact (the
    internal mart, not the public tier's withheld counts), with the region it belongs to. -#}
with kpi_values as (
    select * from {{ ref('kpi_values') }}
),

dim_municipality as (
    select * from {{ ref('dim_municipality') }}
),

scopes as (
    select distinct
        'region' as scope_type,
        region_code as scope_code,
        region_code
    from dim_municipality
    where region_code is not null
    union all
    select
        'municipality' as scope_type,
        municipality_code as scope_code,
        region_code
    from dim_municipality
    where region_code is not null
),

final as (
    select
        scopes.region_code,
        kpi_values.period as quarter,
        kpi_values.kpi_id,
        kpi_values.scope_type,
        kpi_values.scope_code,
        kpi_values.value,
        kpi_values.numerator,
        kpi_values.denominator,
        kpi_values.unit
    from kpi_values
    inner join scopes
        on kpi_values.scope_type = scopes.scope_type
        and kpi_values.scope_code = scopes.scope_code
    where kpi_values.period_type = 'quarter'
)

select * from final

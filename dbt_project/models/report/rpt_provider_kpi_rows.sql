{#- A provider edition's own KPI rows: the provider-scope KPI values (public tier, small counts withheld) of each
    provider edition's provider in the report's quarter, with their signal where the KPI has a target. They cover
    the provider's care in every region it delivers in, as the provider's own steering signals do. -#}
with editions as (
    select * from {{ ref('rpt_provider_editions') }}
),

kpi_values as (
    select * from {{ ref('public_kpi_values') }}
    where scope_type = 'provider' and period_type = 'quarter'
),

dim_kpi as (
    select * from {{ ref('public_dim_kpi') }}
),

provider_signals as (
    select * from {{ ref('public_steering_signals') }}
    where scope_type = 'provider'
),

final as (
    select
        editions.region_code,
        editions.quarter,
        editions.provider_agb,
        kpi_values.kpi_id,
        dim_kpi.name_nl,
        kpi_values.scope_type,
        kpi_values.scope_code,
        'aanbieder ' || kpi_values.scope_code as scope_name,
        kpi_values.period,
        {{ report_kpi_figures('provider_signals') }},
        -- A provider is no municipality: no size class; no provider-scope KPI divides by CBS's population.
        cast(null as varchar) as size_class_name,
        cast(null as double precision) as size_class_value,
        cast(null as double precision) as workbook_size_class_value,
        cast(null as varchar) as cbs_source,
        cast(row_number() over (
            partition by editions.region_code, editions.quarter, editions.provider_agb
            order by kpi_values.kpi_id
        ) as integer) as row_order
    from editions
    inner join kpi_values
        on editions.provider_agb = kpi_values.scope_code
        and editions.quarter = kpi_values.period
    inner join dim_kpi on kpi_values.kpi_id = dim_kpi.kpi_id
    left join provider_signals
        on kpi_values.kpi_id = provider_signals.kpi_id
        and kpi_values.scope_code = provider_signals.scope_code
        and kpi_values.period = provider_signals.period
)

select * from final

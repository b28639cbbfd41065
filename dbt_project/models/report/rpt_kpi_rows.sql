{#- Every KPI value of a reported region and its municipalities in the report's quarter, with its signal where the
    KPI has a target: the workbook's KPI table, the region first, then its municipalities by code. Beside a
    municipality's value the value of its CBS size class (kpi_values scope size_class: the delivering municipalities
    of that class together), and where the value divides by CBS's population the CBS source line (rpt_cbs_sources). -#}
with kpi_values as (
    select * from {{ ref('public_kpi_values') }}
),

dim_kpi as (
    select * from {{ ref('public_dim_kpi') }}
),

steering_signals as (
    select * from {{ ref('public_steering_signals') }}
),

dim_region as (
    select * from {{ ref('public_dim_region') }}
),

dim_municipality as (
    select * from {{ ref('public_dim_municipality') }}
),

rpt_periods as (
    select * from {{ ref('rpt_periods') }}
),

size_class_values as (
    select kpi_id, scope_code as size_class_code, period, value
    from kpi_values
    where scope_type = 'size_class' and period_type = 'quarter'
),

cbs_sources as (
    select region_code, quarter, kpi_id, source_line
    from {{ ref('rpt_cbs_sources') }}
    where role = 'population'
),

scopes as (
    select
        region_code,
        'region' as scope_type,
        region_code as scope_code,
        region_name as scope_name,
        cast(null as varchar) as size_class_code,
        cast(null as varchar) as size_class_name,
        0 as scope_order
    from dim_region
    union all
    select
        region_code,
        'municipality' as scope_type,
        municipality_code as scope_code,
        municipality_name as scope_name,
        size_class_code,
        size_class_name_nl as size_class_name,
        1 as scope_order
    from dim_municipality
),

final as (
    select
        rpt_periods.region_code,
        rpt_periods.quarter,
        kpi_values.kpi_id,
        dim_kpi.name_nl,
        kpi_values.scope_type,
        kpi_values.scope_code,
        coalesce(scopes.scope_name, kpi_values.scope_code) as scope_name,
        kpi_values.period,
        {{ report_kpi_figures('steering_signals') }},
        scopes.size_class_name,
        size_class_values.value as size_class_value,
        cast({{ workbook_number('size_class_values.value', 'kpi_values.unit') }} as double precision)
            as workbook_size_class_value,
        cbs_sources.source_line as cbs_source,
        cast(row_number() over (
            partition by rpt_periods.region_code, rpt_periods.quarter
            order by scopes.scope_order, kpi_values.scope_code, kpi_values.kpi_id
        ) as integer) as row_order
    from kpi_values
    inner join scopes
        on kpi_values.scope_type = scopes.scope_type
        and kpi_values.scope_code = scopes.scope_code
    inner join rpt_periods
        on scopes.region_code = rpt_periods.region_code
        and kpi_values.period = rpt_periods.quarter
    inner join dim_kpi on kpi_values.kpi_id = dim_kpi.kpi_id
    left join steering_signals
        on {{ same_kpi_scope_period('kpi_values', 'steering_signals') }}
    left join size_class_values
        on kpi_values.kpi_id = size_class_values.kpi_id
        and scopes.size_class_code = size_class_values.size_class_code
        and kpi_values.period = size_class_values.period
    left join cbs_sources
        on rpt_periods.region_code = cbs_sources.region_code
        and rpt_periods.quarter = cbs_sources.quarter
        and kpi_values.kpi_id = cbs_sources.kpi_id
    where kpi_values.period_type = 'quarter'
)

select * from final

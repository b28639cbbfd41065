{#- Long-format KPI values (DESIGN.md section 4) for every catalogue KPI, scope and period: the KPI families under
    families/ (unioned in int_kpi_values_unioned) at the published scopes, with the unit from the catalogue (a KPI missing from the catalogue has no row here and fails
    the relationships test). NL rows are CBS figures (int_kpi_national_benchmarks). suppressed is always false in
    the warehouse: the public tier withholds small counts and their complements (public_kpi_values). -#}
with computed as (
    select kpi_id, scope_type, scope_code, period_type, period, numerator, denominator, value
    from {{ ref('int_kpi_values_unioned') }}
    where scope_type in {{ published_kpi_scope_types() }}
),

catalogue as (
    select kpi_id, unit from {{ ref('kpi_catalogue') }}
),

final as (
    select
        computed.kpi_id,
        computed.scope_type,
        computed.scope_code,
        computed.period_type,
        computed.period,
        cast(computed.value as double precision) as value,
        cast({{ rounded('computed.numerator', 2) }} as decimal(18, 2)) as numerator,
        cast({{ rounded('computed.denominator', 2) }} as decimal(18, 2)) as denominator,
        catalogue.unit,
        false as suppressed
    from computed
    inner join catalogue
        on computed.kpi_id = catalogue.kpi_id
)

select * from final

{#- Long-format KPI values (DESIGN.md section 4) for every catalogue KPI, scope and period: the KPI families in
    models/intermediate/kpi (unioned in int_kpi_values_unioned) at the published scopes, with the unit from the catalogue (a KPI missing from the catalogue has no row here and fails
    the relationships test). NL rows are CBS figures (int_kpi_national_benchmarks). suppressed is always false in
    the warehouse: the public tier withholds small counts and their complements (public_kpi_values). A region row
    says how many of its municipalities it covers (kpi_coverage), except CBS's own region figures
    (int_kpi_cbs_justice_counted), which cover the whole region whatever the iJw deliveries. lookback_complete marks values of a KPI that looks
    back in time (repeat care) whose look-back reaches before the warehouse's earliest iJw message
    (int_kpi_lookbacks_covered); null for KPIs without a look-back. -#}
with computed as (
    select kpi_id, scope_type, scope_code, period_type, period, numerator, denominator, value
    from {{ ref('int_kpi_values_unioned') }}
    where scope_type in {{ published_kpi_scope_types() }}
),

catalogue as (
    select kpi_id, unit from {{ ref('kpi_catalogue') }}
),

lookbacks as (
    select kpi_id, period_type, period, lookback_complete from {{ ref('int_kpi_lookbacks_covered') }}
),

cbs_kpis as (
    select distinct kpi_id from {{ ref('int_kpi_cbs_justice_counted') }}
),

region_coverage as (
    select distinct region_code, period_type, period, municipalities_covered, municipalities_in_region
    from {{ ref('kpi_coverage') }}
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
        lookbacks.lookback_complete,
        case when cbs_kpis.kpi_id is null then region_coverage.municipalities_covered end as municipalities_covered,
        case when cbs_kpis.kpi_id is null then region_coverage.municipalities_in_region end
            as municipalities_in_region,
        false as suppressed
    from computed
    inner join catalogue
        on computed.kpi_id = catalogue.kpi_id
    left join lookbacks
        on computed.kpi_id = lookbacks.kpi_id
        and computed.period_type = lookbacks.period_type
        and computed.period = lookbacks.period
    left join cbs_kpis
        on computed.kpi_id = cbs_kpis.kpi_id
    left join region_coverage
        on computed.scope_type = 'region'
        and computed.scope_code = region_coverage.region_code
        and computed.period_type = region_coverage.period_type
        and computed.period = region_coverage.period
)

select * from final

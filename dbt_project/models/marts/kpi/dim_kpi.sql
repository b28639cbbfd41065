{#- The KPI catalogue seed as a dimension of kpi_values, so BI tools, the steering layer and the suppression read
    definitions, units and targets next to the values. -#}
with catalogue as (
    select * from {{ ref('kpi_catalogue') }}
),

final as (
    select
        kpi_id,
        name_nl,
        name_en,
        definition,
        numerator,
        denominator,
        unit,
        numerator_kind,
        denominator_kind,
        direction,
        default_target,
        band_low,
        band_high,
        lever,
        policy_goal,
        nl_source,
        source_document
    from catalogue
)

select * from final

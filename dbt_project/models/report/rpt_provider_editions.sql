{#- One row per provider edition of the quarterly report: each provider with a revenue row in a reported region's
    quarter (rpt_provider_revenue). A provider edition shows the provider only its own rows beside the region's
    aggregates; which rows those are is decided by the rpt_provider_* models, the renderer only reads them. -#}
with provider_revenue as (
    select * from {{ ref('rpt_provider_revenue') }}
),

final as (
    select distinct
        region_code,
        quarter,
        provider_agb
    from provider_revenue
    where provider_agb is not null
)

select * from final

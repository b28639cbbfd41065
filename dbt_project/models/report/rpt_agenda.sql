{#- The dialogue agenda of a reported region in the report's quarter: the region's own items first, then one group
    per provider, each by its rank; with the names of the provider and of the item's scope. -#}
with dialogue_agenda as (
    select * from {{ ref('public_dialogue_agenda') }}
),

rpt_periods as (
    select * from {{ ref('rpt_periods') }}
),

dim_provider as (
    select * from {{ ref('public_dim_provider') }}
),

scope_names as (
    select 'region' as scope_type, region_code as scope_code, region_name as scope_name
    from {{ ref('public_dim_region') }}
    union all
    select 'municipality', municipality_code, municipality_name from {{ ref('public_dim_municipality') }}
    union all
    select 'provider', provider_agb, provider_name from dim_provider
    union all
    select 'care_form', care_form_code, care_form_name_nl from {{ ref('public_dim_care_form') }}
),

final as (
    select
        rpt_periods.region_code,
        rpt_periods.quarter,
        dialogue_agenda.provider_agb,
        coalesce(dim_provider.provider_name, dialogue_agenda.provider_agb) as provider_name,
        dialogue_agenda.item_rank,
        dialogue_agenda.item_type,
        dialogue_agenda.kpi_id,
        dialogue_agenda.scope_type,
        dialogue_agenda.scope_code,
        coalesce(scope_names.scope_name, dialogue_agenda.scope_code) as scope_name,
        dialogue_agenda.summary_nl,
        dialogue_agenda.question_nl,
        cast(row_number() over (
            partition by rpt_periods.region_code, rpt_periods.quarter
            order by dialogue_agenda.provider_agb nulls first, dialogue_agenda.item_rank
        ) as integer) as row_order
    from dialogue_agenda
    inner join rpt_periods
        on dialogue_agenda.region_code = rpt_periods.region_code
        and dialogue_agenda.period = rpt_periods.quarter
    left join dim_provider on dialogue_agenda.provider_agb = dim_provider.provider_agb
    left join scope_names
        on dialogue_agenda.scope_type = scope_names.scope_type
        and dialogue_agenda.scope_code = scope_names.scope_code
)

select * from final

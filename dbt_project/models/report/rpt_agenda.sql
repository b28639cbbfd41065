{#- The dialogue agenda of a reported region in the report's quarter: the region's own items first, then one group
    per provider, each by its rank. -#}
with dialogue_agenda as (
    select * from {{ ref('public_dialogue_agenda') }}
),

rpt_periods as (
    select * from {{ ref('rpt_periods') }}
),

final as (
    select
        rpt_periods.region_code,
        rpt_periods.quarter,
        dialogue_agenda.provider_agb,
        dialogue_agenda.item_rank,
        dialogue_agenda.item_type,
        dialogue_agenda.kpi_id,
        dialogue_agenda.scope_type,
        dialogue_agenda.scope_code,
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
)

select * from final

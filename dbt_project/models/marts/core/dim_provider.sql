{#- Every provider (AGB code) seen in any message; names come from the AGB register, which is not ingested yet. -#}
with seen as (
    select provider_agb, message_date as seen_on from {{ ref('stg_ijw__allocations') }}
    union all
    select provider_agb, requested_on from {{ ref('stg_ijw__referral_requests') }}
    union all
    select provider_agb, message_date from {{ ref('stg_ijw__start_events') }}
    union all
    select provider_agb, message_date from {{ ref('stg_ijw__stop_events') }}
    union all
    select provider_agb, declaration_date from {{ ref('stg_ijw__declaration_lines') }}
),

final as (
    select
        provider_agb,
        min(seen_on) as first_seen_on,
        max(seen_on) as last_seen_on
    from seen
    group by provider_agb
)

select * from final

{#- Every provider (AGB code) seen in any message, with the name the region gives it (seed provider_names; the AGB
    register is not ingested). -#}
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

provider_names as (
    select provider_agb, provider_name from {{ ref('provider_names') }}
),

seen_providers as (
    select
        provider_agb,
        min(seen_on) as first_seen_on,
        max(seen_on) as last_seen_on
    from seen
    group by provider_agb
),

final as (
    select
        seen_providers.provider_agb,
        seen_providers.first_seen_on,
        seen_providers.last_seen_on,
        provider_names.provider_name
    from seen_providers
    left join provider_names on seen_providers.provider_agb = provider_names.provider_agb
)

select * from final

{#- The providers (AGB codes) seen in the traffic, a dimension of the provider-facing tables. -#}
select
    provider_agb, first_seen_on, last_seen_on, provider_name
from {{ ref('dim_provider') }}

{#- The pseudonymous clients (keyed BSN pseudonym, birth year, gender): analysts only. -#}
select
    client_key, birth_year, gender_code
from {{ ref('dim_client') }}

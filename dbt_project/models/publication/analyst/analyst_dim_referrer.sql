{#- The referrer types (verwijzers, COD327), a dimension of the referrer shares. -#}
select
    referrer_type_code, referrer_type_name_nl
from {{ ref('dim_referrer') }}

{#- The CBS population per municipality and year, as CBS publishes it. -#}
select
    municipality_code, year, youth_0_17, population_total, status, table_id, file_sha256
from {{ ref('fct_population') }}

{#- The gemeenten of the regions, a dimension of the published KPI values and forecasts. -#}
select
    municipality_code, municipality_name, region_code, known_from
from {{ ref('dim_municipality') }}

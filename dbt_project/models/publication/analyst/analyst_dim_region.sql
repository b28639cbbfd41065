{#- The youth-care regions, a dimension of the published KPI values, signals and forecasts. -#}
select
    region_code, region_name, municipality_count, in_scope, cbs_region_name, cbs_municipality_count, cbs_year
from {{ ref('dim_region') }}

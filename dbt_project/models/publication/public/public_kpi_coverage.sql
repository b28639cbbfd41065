{#- Which municipalities a region's figures cover per KPI period, and the coverage warning, as published: no
    figure of it is small or about a youth (it says which municipality delivered in which period), so every row and
    column passes unchanged. -#}
select
    region_code, period_type, period, municipality_code, first_delivered_day, quarters_in_period,
    quarters_delivered, is_covered, is_complete, municipalities_in_region, municipalities_covered, coverage_warning
from {{ ref('kpi_coverage') }}

{#- The gemeenten of the regions, a dimension of the published KPI values and forecasts, with each one's CBS size
    class (int_municipality_size_classes), the class kpi_values scope size_class sets it beside. -#}
select
    dim_municipality.municipality_code,
    dim_municipality.municipality_name,
    dim_municipality.region_code,
    dim_municipality.known_from,
    size_classes.size_class_code,
    size_classes.size_class_name_nl
from {{ ref('dim_municipality') }} as dim_municipality
left join {{ ref('int_municipality_size_classes') }} as size_classes
    on dim_municipality.municipality_code = size_classes.municipality_code

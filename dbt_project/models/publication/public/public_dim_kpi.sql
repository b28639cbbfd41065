{#- The KPI catalogue, as the dashboard reads definitions, units and targets beside the values. -#}
select
    kpi_id, name_nl, name_en, definition, numerator, denominator, unit, numerator_kind, denominator_kind,
    direction, default_target, band_low, band_high, lever, policy_goal, nl_source, source_document
from {{ ref('dim_kpi') }}

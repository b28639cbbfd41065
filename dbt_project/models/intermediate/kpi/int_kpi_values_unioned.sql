{#- Every KPI family's rows in one relation, at every scope the families compute: the published scopes that
kpi_values keeps and the crossed scopes (kpi_scopes) the steering drivers are built from. A new family is added
here, in the list, once and reaches both. -#}
{%- set families = [
    'int_kpi_trajectories_counted',
    'int_kpi_outcomes_counted',
    'int_kpi_referrals_counted',
    'int_kpi_costs_summed',
    'int_kpi_population_shares',
    'int_kpi_growth_compared',
    'int_kpi_national_benchmarks',
    'int_kpi_realisation_compared',
    'int_kpi_budget_forecasts',
    'int_kpi_waiting_counted',
    'int_kpi_starts_counted',
    'int_kpi_cbs_justice_counted',
    'int_kpi_product_categories_counted',
] %}
{%- for family in families %}
select kpi_id, scope_type, scope_code, period_type, period, numerator, denominator, value
from {{ ref(family) }}
{%- if not loop.last %}
union all
{%- endif %}
{%- endfor %}

{#- Every KPI family's rows in one relation, at every scope the families compute: the published scopes that
kpi_values keeps and the crossed scopes (kpi_scopes) the steering drivers are built from. A new family is added
here once and reaches both. -#}
select kpi_id, scope_type, scope_code, period_type, period, numerator, denominator, value
from {{ ref('int_kpi_trajectories_counted') }}
union all
select kpi_id, scope_type, scope_code, period_type, period, numerator, denominator, value
from {{ ref('int_kpi_outcomes_counted') }}
union all
select kpi_id, scope_type, scope_code, period_type, period, numerator, denominator, value
from {{ ref('int_kpi_referrals_counted') }}
union all
select kpi_id, scope_type, scope_code, period_type, period, numerator, denominator, value
from {{ ref('int_kpi_costs_summed') }}
union all
select kpi_id, scope_type, scope_code, period_type, period, numerator, denominator, value
from {{ ref('int_kpi_population_shares') }}
union all
select kpi_id, scope_type, scope_code, period_type, period, numerator, denominator, value
from {{ ref('int_kpi_growth_compared') }}
union all
select kpi_id, scope_type, scope_code, period_type, period, numerator, denominator, value
from {{ ref('int_kpi_national_benchmarks') }}
union all
select kpi_id, scope_type, scope_code, period_type, period, numerator, denominator, value
from {{ ref('int_kpi_realisation_compared') }}
union all
select kpi_id, scope_type, scope_code, period_type, period, numerator, denominator, value
from {{ ref('int_kpi_budget_forecasts') }}

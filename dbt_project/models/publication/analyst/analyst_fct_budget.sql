{#- The municipalities' budget lines per year (euros in cents): no client-level figure in it. -#}
select
    municipality_code, year, budget_line, kind, amount_cents, source, status
from {{ ref('fct_budget') }}

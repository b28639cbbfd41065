{#- The calendar, for BI tools that join periods to dates. -#}
select
    date_day, year, month, quarter, half_year
from {{ ref('dim_date') }}

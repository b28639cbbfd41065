{#- The complementary suppression reached its fixpoint: no sum of published cells has exactly one withheld row
    beside a published one (subtracting the rest would recover it). Fails when int_kpi_values_withheld needs more
    passes than it unrolls. A check on int_kpi_values_withheld in Dagster (it reads the sums too). -#}
{{ config(meta={'dagster': {'ref': {'name': 'int_kpi_values_withheld'}}}) }}
with withheld as (
    select row_id from {{ ref('int_kpi_values_withheld') }}
),

sums as (
    select
        sums.sum_id,
        count(withheld.row_id) as withheld_rows,
        count(*) as rows_in_sum
    from {{ ref('int_kpi_suppression_sums') }} as sums
    left join withheld
        on sums.row_id = withheld.row_id
    group by sums.sum_id
)

select sum_id, withheld_rows, rows_in_sum
from sums
where withheld_rows = 1 and rows_in_sum > 1

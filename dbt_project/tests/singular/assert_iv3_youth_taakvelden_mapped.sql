{{ config(meta={'dagster': {'ref': {'name': 'stg_cbs__iv3'}}}) }}
{#- Every youth taakveld seen in Iv3 data must be in the rollup seed for its year; otherwise its money would silently
    miss fct_budget. Youth taakvelden: 6.72*, 6.73*, 6.74*, 6.75*, 6.76*, 6.792, 6.82* (DESIGN.md section 5). -#}
with seen as (
    select distinct taakveld_code, year
    from {{ ref('stg_cbs__iv3') }}
    where taakveld_code like '6.72%'
        or taakveld_code like '6.73%'
        or taakveld_code like '6.74%'
        or taakveld_code like '6.75%'
        or taakveld_code like '6.76%'
        or taakveld_code = '6.792'
        or taakveld_code like '6.82%'
),

mapped as (
    select * from {{ ref('iv3_youth_taakvelden') }}
)

select seen.taakveld_code, seen.year
from seen
left join mapped
    on seen.taakveld_code = mapped.taakveld_code
    and seen.year >= mapped.valid_from_year
    and seen.year <= coalesce(mapped.valid_to_year, 9999)
where mapped.taakveld_code is null

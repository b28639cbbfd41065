{#- Changed since the previous cut: per quarter and region, each close compared with the close of the previous data
    cut (the latest run at each cut is that cut's close), one row per KPI value that moved, appeared or disappeared.
    close_change_deliveries names the deliveries that arrived between the two cuts. -#}
with cut_pairs as (
    select * from {{ ref('close_cut_pairs') }}
),

kpi_values as (
    select * from {{ source('close_history', 'kpi_values') }}
),

cut_values as (
    select
        cut_pairs.to_close_id,
        kpi_values.close_id = cut_pairs.to_close_id as is_after,
        kpi_values.kpi_id,
        kpi_values.scope_type,
        kpi_values.scope_code,
        kpi_values.unit,
        kpi_values.value,
        kpi_values.numerator,
        kpi_values.denominator
    from cut_pairs
    inner join kpi_values
        on cut_pairs.from_close_id = kpi_values.close_id
        or cut_pairs.to_close_id = kpi_values.close_id
),

compared as (
    select
        to_close_id,
        kpi_id,
        scope_type,
        scope_code,
        max(unit) as unit,
        max(case when not is_after then value end) as value_before,
        max(case when is_after then value end) as value_after,
        max(case when not is_after then numerator end) as numerator_before,
        max(case when is_after then numerator end) as numerator_after,
        max(case when not is_after then denominator end) as denominator_before,
        max(case when is_after then denominator end) as denominator_after,
        {{ dbt.bool_or('not is_after') }} as in_before,
        {{ dbt.bool_or('is_after') }} as in_after
    from cut_values
    group by to_close_id, kpi_id, scope_type, scope_code
),

final as (
    select
        {{ close_cut_pair('cut_pairs') }},
        compared.kpi_id,
        compared.scope_type,
        compared.scope_code,
        compared.unit,
        compared.value_before,
        compared.value_after,
        compared.value_after - compared.value_before as value_change,
        compared.numerator_before,
        compared.numerator_after,
        compared.denominator_before,
        compared.denominator_after
    from compared
    inner join cut_pairs on compared.to_close_id = cut_pairs.to_close_id
    where compared.in_before <> compared.in_after
        or compared.value_before is distinct from compared.value_after
        or compared.numerator_before is distinct from compared.numerator_after
        or compared.denominator_before is distinct from compared.denominator_after
)

select * from final

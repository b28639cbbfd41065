{#- Changed since the previous cut: per quarter and region, each close compared with the close of the previous data
    cut (the latest run at each cut is that cut's close), one row per KPI value that moved, appeared or disappeared.
    close_change_deliveries names the deliveries that arrived between the two cuts. -#}
with cut_pairs as (
    select * from {{ ref('close_cut_pairs') }}
),

kpi_values as (
    select * from {{ source('close_history', 'kpi_values') }}
),

values_before as (
    select
        cut_pairs.to_close_id,
        kpi_values.kpi_id,
        kpi_values.scope_type,
        kpi_values.scope_code,
        kpi_values.unit,
        kpi_values.value,
        kpi_values.numerator,
        kpi_values.denominator
    from cut_pairs
    inner join kpi_values on cut_pairs.from_close_id = kpi_values.close_id
),

values_after as (
    select
        cut_pairs.to_close_id,
        kpi_values.kpi_id,
        kpi_values.scope_type,
        kpi_values.scope_code,
        kpi_values.unit,
        kpi_values.value,
        kpi_values.numerator,
        kpi_values.denominator
    from cut_pairs
    inner join kpi_values on cut_pairs.to_close_id = kpi_values.close_id
),

compared as (
    select
        coalesce(values_after.to_close_id, values_before.to_close_id) as to_close_id,
        coalesce(values_after.kpi_id, values_before.kpi_id) as kpi_id,
        coalesce(values_after.scope_type, values_before.scope_type) as scope_type,
        coalesce(values_after.scope_code, values_before.scope_code) as scope_code,
        coalesce(values_after.unit, values_before.unit) as unit,
        values_before.value as value_before,
        values_after.value as value_after,
        values_before.numerator as numerator_before,
        values_after.numerator as numerator_after,
        values_before.denominator as denominator_before,
        values_after.denominator as denominator_after
    from values_after
    full outer join values_before
        on values_after.to_close_id = values_before.to_close_id
        and values_after.kpi_id = values_before.kpi_id
        and values_after.scope_type = values_before.scope_type
        and values_after.scope_code = values_before.scope_code
),

final as (
    select
        cut_pairs.quarter,
        cut_pairs.region_code,
        cut_pairs.from_cut,
        cut_pairs.to_cut,
        cut_pairs.from_run_id,
        cut_pairs.to_run_id,
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
    where compared.value_before is distinct from compared.value_after
        or compared.numerator_before is distinct from compared.numerator_after
        or compared.denominator_before is distinct from compared.denominator_after
)

select * from final

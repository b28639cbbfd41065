{#- The primary rule of publication (DESIGN.md section 6), written once: a count strictly between 0 and the
    suppression threshold is withheld, and so is every KPI row that publishes one as its level, numerator or
    denominator. The complements that keep such a row from being recomputed are int_kpi_values_withheld's. The
    threshold is the dbt var suppression_threshold, which the Dagster dbt steps set from
    WAREHOUSE_SUPPRESSION_THRESHOLD. `kpi` is a kpi_values-shaped relation alias, `catalogue` a dim_kpi alias. -#}

{#- The figure (value, numerator or denominator) as a count, where the catalogue says it counts people or
    trajectories; null otherwise. Rounded to cents as kpi_values stores it, so float noise on a level (a sum of
    doubles left as 14.000000000000002) is the count itself. -#}
{% macro publication_count(kpi, catalogue, figure) -%}
    {%- set kind = {'value': 'unit', 'numerator': 'numerator_kind', 'denominator': 'denominator_kind'}[figure] -%}
    case when {{ catalogue }}.{{ kind }} = 'count' then cast({{ kpi }}.{{ figure }} as decimal(18, 2)) end
{%- endmacro %}

{#- Never null: a missing figure holds no small count. -#}
{% macro small_count(count) -%}
    coalesce({{ count }} > 0 and {{ count }} < {{ var('suppression_threshold') }}, false)
{%- endmacro %}

{% macro suppressed_in_publication(kpi, catalogue) -%}
    (
        {{ small_count(publication_count(kpi, catalogue, 'value')) }}
        or {{ small_count(publication_count(kpi, catalogue, 'numerator')) }}
        or {{ small_count(publication_count(kpi, catalogue, 'denominator')) }}
    )
{%- endmacro %}

{#- The cells (row_id) of `counts` (row_id, scope, period_type, period, figure: one row per count a cell publishes)
    that publish a secret count of `secrets` (scope, period_type, counted_in, figure) again: in the same scope and
    period type, in the period it counts or a year later (the growth rate built on last year's count). -#}
{% macro same_count_cells(secrets, counts) -%}
    select {{ counts }}.row_id
    from {{ secrets }} as secrets
    inner join {{ counts }}
        on secrets.scope_type = {{ counts }}.scope_type
        and secrets.scope_code = {{ counts }}.scope_code
        and secrets.period_type = {{ counts }}.period_type
        and secrets.figure = {{ counts }}.figure
        and {{ counts }}.period in (
            secrets.counted_in,
            cast(cast(substr(secrets.counted_in, 1, 4) as integer) + 1 as varchar) || substr(secrets.counted_in, 5)
        )
    -- A zero count is no secret: withholding a row of zeros costs nothing and protects nothing.
    where secrets.figure > 0
{%- endmacro %}

{#- True where the published copy withholds a kpi_values row for its own sake: a count strictly between 0 and the
    suppression threshold, as numerator, denominator or level (the primary rule of
    orchestration/warehouse/suppression.py; the publisher adds complements, which need the whole table). The threshold is the dbt var suppression_threshold, which the Dagster dbt steps set from
    WAREHOUSE_SUPPRESSION_THRESHOLD, so dbt and Python use one number. `kpi` is a kpi_values-shaped relation alias,
    `catalogue` a dim_kpi alias. -#}
{% macro suppressed_in_publication(kpi, catalogue) -%}
    (
        ({{ catalogue }}.numerator_kind = 'count'
            and {{ kpi }}.numerator > 0 and {{ kpi }}.numerator < {{ var('suppression_threshold') }})
        or ({{ catalogue }}.denominator_kind = 'count'
            and {{ kpi }}.denominator > 0 and {{ kpi }}.denominator < {{ var('suppression_threshold') }})
        or ({{ catalogue }}.unit = 'count'
            and {{ kpi }}.value > 0 and {{ kpi }}.value < {{ var('suppression_threshold') }})
    )
{%- endmacro %}

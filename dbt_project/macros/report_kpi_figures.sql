{#- The figures of one KPI row in the report (rpt_kpi_rows, rpt_provider_kpi_rows): the value with its parts, the
    signal's target, band, status and trend from `signals`, the same numbers as the workbook stores them, and the
    lever and policy goal. -#}
{% macro report_kpi_figures(signals) -%}
        kpi_values.value,
        kpi_values.numerator,
        kpi_values.denominator,
        kpi_values.unit,
        kpi_values.lookback_complete,
        {{ signals }}.target,
        {{ signals }}.band_low,
        {{ signals }}.band_high,
        {{ signals }}.status,
        {{ signals }}.trend,
        cast({{ workbook_number('kpi_values.value', 'kpi_values.unit') }} as double precision) as workbook_value,
        cast({{ workbook_number(signals ~ '.target', 'kpi_values.unit') }} as double precision) as workbook_target,
        cast({{ workbook_number(signals ~ '.band_low', 'kpi_values.unit') }} as double precision) as workbook_band_low,
        cast({{ workbook_number(signals ~ '.band_high', 'kpi_values.unit') }} as double precision)
            as workbook_band_high,
        dim_kpi.lever,
        dim_kpi.policy_goal
{%- endmacro %}

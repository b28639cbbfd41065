{#- Every kpi_values row that publishes a count (the catalogue's unit or a *_kind is 'count'): the cells the
    suppression works on, each with its counts, its smallest count (what withholding it costs a reader) and whether
    the primary rule withholds it. row_id numbers the cells in key order, so every choice below is made in one
    total order, however the warehouse happened to scan the rows. -#}
with catalogue as (
    select kpi_id, unit, numerator_kind, denominator_kind
    from {{ ref('dim_kpi') }}
    where unit = 'count' or numerator_kind = 'count' or denominator_kind = 'count'
),

counted as (
    select
        kpi_values.kpi_id,
        kpi_values.scope_type,
        kpi_values.scope_code,
        kpi_values.period_type,
        kpi_values.period,
        {{ publication_count('kpi_values', 'catalogue', 'value') }} as value_count,
        {{ publication_count('kpi_values', 'catalogue', 'numerator') }} as numerator_count,
        {{ publication_count('kpi_values', 'catalogue', 'denominator') }} as denominator_count,
        {{ suppressed_in_publication('kpi_values', 'catalogue') }} as is_primary
    from {{ ref('kpi_values') }} as kpi_values
    inner join catalogue
        on kpi_values.kpi_id = catalogue.kpi_id
),

final as (
    select
        cast(row_number() over (
            order by
                {% for key in ['kpi_id', 'scope_type', 'scope_code', 'period_type', 'period'] -%}
                    {{ byte_order(key) }}{{ ', ' if not loop.last }}
                {%- endfor %}
        ) as integer) as row_id,
        kpi_id,
        scope_type,
        scope_code,
        period_type,
        period,
        value_count,
        numerator_count,
        denominator_count,
        -- least() skips nulls on DuckDB and PostgreSQL alike; a row without a count costs nothing to withhold.
        coalesce(least(value_count, numerator_count, denominator_count), 0) as smallest_count,
        is_primary
    from counted
)

select * from final

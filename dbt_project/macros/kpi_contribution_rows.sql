{#- Contribution rows (audit tier) from one relation of facts at scope and period grain: members is a list of
    (kpi_id expression, role, counting key expression, amount expression or none, condition). A KPI's numerator or
    denominator is the sum of amount over its rows (measure 'sum') or, where no amount is given, the distinct count of
    counting_key (measure 'distinct_count'). Amounts keep six decimals: a pro-rated volume computed in doubles differs
    between DuckDB and PostgreSQL in its last digits, never in the sixth. -#}
{% macro kpi_contribution_rows(from_cte, fact_table, fact_key, members) -%}
    {%- for kpi_id, role, counting_key, amount, condition in members %}
    select
        {{ kpi_id }} as kpi_id,
        '{{ role }}' as role,
        scope_type,
        scope_code,
        period_type,
        period,
        '{{ fact_table }}' as fact_table,
        cast({{ fact_key }} as varchar) as fact_key,
        cast({{ counting_key }} as varchar) as counting_key,
        '{{ 'sum' if amount else 'distinct_count' }}' as measure,
        cast({{ amount if amount else 'null' }} as decimal(38, 6)) as amount
    from {{ from_cte }}
    where {{ condition }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}

{#- A driver's contribution to a signal's deviation as Dutch text in the KPI's unit, signed ('+10,0 procentpunt',
    '-4,6', '+123 euro', '+12,5 dagen'): a reader sees what a municipality, provider or care form adds to value -
    target, where its share of the deviation can run far beyond 100% when other drivers pull the other way. -#}
{% macro contribution_nl(expression, unit) -%}
    case when {{ rounded(expression, 1) }} > 0 then '+' else '' end
    || case
        when {{ unit }} like 'EUR%'
            then cast(cast({{ rounded(expression, 0) }} as decimal(18, 0)) as varchar) || ' euro'
        else replace(cast(cast({{ rounded(expression, 1) }} as decimal(18, 1)) as varchar), '.', ',')
            || case {{ unit }} when 'percent' then ' procentpunt' when 'days' then ' dagen' else '' end
    end
{%- endmacro %}

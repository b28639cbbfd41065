{#- The left joins that name a scope or a driver by its type and code: dim_municipality, dim_provider and
    dim_care_form under their own names, each matching only the codes of its own type (at most one row each). -#}
{% macro scope_name_joins(type_column, code_column) -%}
    left join {{ ref('dim_municipality') }} as dim_municipality
        on {{ type_column }} = 'municipality'
        and {{ code_column }} = dim_municipality.municipality_code
    left join {{ ref('dim_provider') }} as dim_provider
        on {{ type_column }} = 'provider'
        and {{ code_column }} = dim_provider.provider_agb
    left join {{ ref('dim_care_form') }} as dim_care_form
        on {{ type_column }} = 'care_form'
        and {{ code_column }} = dim_care_form.care_form_code
{%- endmacro %}

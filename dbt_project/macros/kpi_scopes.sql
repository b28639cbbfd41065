{#- One row per fact and scope it counts in: the municipality, its region, the provider and the care form. A fact
    without a provider or care form (a declaration line for a product outside the code list) counts only where it
    has a code. `columns` are carried along unchanged. -#}
{% macro kpi_scopes(from_cte, columns) -%}
    {%- set scopes = [
        ('municipality', 'municipality_code'),
        ('region', 'region_code'),
        ('provider', 'provider_agb'),
        ('care_form', 'care_form_code'),
    ] -%}
    {%- for scope_type, code_column in scopes %}
    select
        '{{ scope_type }}' as scope_type,
        {{ code_column }} as scope_code,
        {{ columns | join(', ') }}
    from {{ from_cte }}
    where {{ code_column }} is not null
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}

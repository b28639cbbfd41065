{#- One row per fact and scope it counts in: the municipality, its region, the provider and the care form. A fact
    without a provider or care form (a declaration line for a product outside the code list) counts only where it
    has a code. `columns` are carried along unchanged, and so is the fact's municipality_code, which
    kpi_covered_join needs at every scope.

    The three crossed scopes (municipality_provider 'GM0392|98000001', municipality_care_form 'GM0392|02',
    provider_care_form '98000001|02') are the grain the steering drivers are built from (steering_drivers): the
    same KPI definition computed on the part of a scope one provider, care form or municipality accounts for.
    kpi_values keeps only the published scopes.

    size_class is the municipality's CBS size class (int_municipality_size_classes): a scope that sets a
    municipality beside the municipalities of its class, counted with the same rules as a region. -#}
{% macro kpi_scopes(from_cte, columns) -%}
    {%- set scopes = [
        ('municipality', 'municipality_code', ['municipality_code']),
        ('region', 'region_code', ['region_code']),
        ('size_class', 'size_classes.size_class_code', ['size_classes.size_class_code']),
        ('provider', 'provider_agb', ['provider_agb']),
        ('care_form', 'care_form_code', ['care_form_code']),
        ('municipality_provider', "municipality_code || '|' || provider_agb", ['municipality_code', 'provider_agb']),
        ('municipality_care_form', "municipality_code || '|' || care_form_code", ['municipality_code', 'care_form_code']),
        ('provider_care_form', "provider_agb || '|' || care_form_code", ['provider_agb', 'care_form_code']),
    ] -%}
    {%- for scope_type, code_expression, required in scopes %}
    select
        '{{ scope_type }}' as scope_type,
        {{ code_expression }} as scope_code,
        {{ columns | join(', ') }}{% if 'municipality_code' not in columns %}, municipality_code{% endif %}
    from {{ from_cte }}
    {%- if scope_type == 'size_class' %}
    -- using: the fact's columns stay unqualified, and municipality_code is the one both sides hold.
    inner join (
        select municipality_code, size_class_code from {{ ref('int_municipality_size_classes') }}
    ) as size_classes using (municipality_code)
    {%- endif %}
    where {{ required | join(' is not null and ') }} is not null
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}

{#- Joined after a family's join of its scoped facts on int_kpi_periods: keeps a fact in a period only where its
    municipality's data covers the period (int_municipality_periods_covered), at every scope, so a region, provider or
    care form counts no municipality before its first deliveries nor in a period it sent nothing in. -#}
{% macro kpi_covered_join(scoped, periods) -%}
    inner join {{ ref('int_municipality_periods_covered') }} as coverage
        on {{ scoped }}.municipality_code = coverage.municipality_code
        and {{ periods }}.period_type = coverage.period_type
        and {{ periods }}.period = coverage.period
        and coverage.is_covered
{%- endmacro %}

{#- KPI rows of level (count) KPIs from one relation holding a count column per KPI at scope and period grain:
    levels is a list of (kpi_id, column); the numerator and the value are the count, the denominator is null. -#}
{% macro kpi_level_rows(from_cte, levels) -%}
    {%- for kpi_id, column in levels %}
    select
        '{{ kpi_id }}' as kpi_id,
        scope_type,
        scope_code,
        period_type,
        period,
        {{ column }} as numerator,
        cast(null as bigint) as denominator,
        cast({{ column }} as double precision) as value
    from {{ from_cte }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}

{#- The scope types kpi_values publishes; the crossed ones above stay internal to the steering layer.
    product_category (iJw JZ020) comes from its own family (int_kpi_product_categories_counted), not kpi_scopes. -#}
{% macro published_kpi_scope_types() -%}
    ('nl', 'region', 'size_class', 'municipality', 'provider', 'care_form', 'product_category')
{%- endmacro %}

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

{#- The KPI periods (int_kpi_periods as `periods`) a dated fact counts in: those holding its day, where its
    municipality's data covers the period (kpi_covered_join). -#}
{% macro kpi_periods_join(scoped, day) -%}
    inner join periods
        on {{ scoped }}.{{ day }} between periods.first_day and periods.last_day
    {{ kpi_covered_join(scoped, 'periods') }}
{%- endmacro %}

{#- The KPI periods (int_kpi_periods as `periods`) a spell from start_date to end_date (null while open) is active
    in: those it overlaps, where its municipality's data covers the period (kpi_covered_join). -#}
{% macro kpi_active_periods_join(scoped) -%}
    inner join periods
        on {{ scoped }}.start_date <= periods.last_day
        and ({{ scoped }}.end_date is null or {{ scoped }}.end_date >= periods.first_day)
    {{ kpi_covered_join(scoped, 'periods') }}
{%- endmacro %}

{#- The KPI periods (int_kpi_periods as `periods`) a waiting spell counts as waiting in, on the period's `day` (its
    last day): it began at least var('waiting_days') days before, had not ended by then and was still valid, where its
    municipality's data covers the period (kpi_covered_join). -#}
{% macro kpi_waiting_periods_join(scoped, day) -%}
    inner join periods
        on {{ scoped }}.waiting_since <= {{ dbt.dateadd('day', -var('waiting_days', 28), 'periods.' ~ day) }}
        and ({{ scoped }}.waiting_until is null or {{ scoped }}.waiting_until > periods.{{ day }})
        and ({{ scoped }}.valid_to is null or {{ scoped }}.valid_to >= periods.{{ day }})
    {{ kpi_covered_join(scoped, 'periods') }}
{%- endmacro %}

{#- The year-to-date periods (int_kpi_periods as `periods`) of a declaration line as of the data cut (`as_of`,
    int_forecast_as_of): the periods whose year it falls in up to their last day, of periods ended by the cut, for
    lines declared by the cut, at municipality and region scope, where its municipality's data covers the period. -#}
{% macro kpi_year_to_date_join(scoped) -%}
    cross join as_of
    inner join periods
        on {{ scoped }}.period_start between {{ dbt.date_trunc('year', 'periods.first_day') }} and periods.last_day
        and as_of.cut_day >= periods.last_day
    {{ kpi_covered_join(scoped, 'periods') }}
    where {{ scoped }}.scope_type in ('municipality', 'region')
        and {{ scoped }}.declaration_date <= as_of.cut_day
{%- endmacro %}

{#- KPI rows of level (count) KPIs from one relation holding a count column per KPI at scope and period grain:
    levels is a list of (kpi_id, column); the numerator and the value are the count, the denominator is null. -#}
{% macro kpi_level_rows(from_cte, levels) -%}
    {%- set rows = [] %}
    {%- for kpi_id, column in levels %}
    {%- do rows.append((kpi_id, column, 'cast(null as bigint)', 'cast(' ~ column ~ ' as double precision)', none)) %}
    {%- endfor %}
    {{- kpi_rows(from_cte, rows) }}
{%- endmacro %}

{#- KPI rows of ratio KPIs (shares, means) from one relation at scope and period grain: ratios is a list of
    (kpi_id, numerator, denominator, scale); the value is scale x numerator / denominator (100.0 for a share in
    percent, 1.0 for a mean), in a row only where the denominator is positive. -#}
{% macro kpi_ratio_rows(from_cte, ratios) -%}
    {%- set rows = [] %}
    {%- for kpi_id, numerator, denominator, scale in ratios %}
    {%- do rows.append(
        (kpi_id, numerator, denominator, scale ~ ' * ' ~ numerator ~ ' / ' ~ denominator, denominator ~ ' > 0')
    ) %}
    {%- endfor %}
    {{- kpi_rows(from_cte, rows) }}
{%- endmacro %}

{#- The union of KPI rows (kpi_values' columns) from one relation at scope and period grain: rows is a list of
    (kpi_id, numerator, denominator, value, condition), expressions over the relation; condition may be none. -#}
{% macro kpi_rows(from_cte, rows) -%}
    {%- for kpi_id, numerator, denominator, value, condition in rows %}
    select
        '{{ kpi_id }}' as kpi_id,
        scope_type,
        scope_code,
        period_type,
        period,
        {{ numerator }} as numerator,
        {{ denominator }} as denominator,
        {{ value }} as value
    from {{ from_cte }}
    {%- if condition %}
    where {{ condition }}
    {%- endif %}
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

{#- The drivers behind every amber or red signal: per driver type, how much of the deviation (value - target) each
    municipality, provider or care form inside the signal's scope accounts for. docs/steering.md derives the rule;
    in short, a driver's part of the scope is the same KPI computed on that part (the crossed scopes of kpi_scopes),
    weighted by its share of the scope's denominator (of the numerator for a level KPI):

        ratio KPI: contribution = (driver value - target) x driver weight + residual x driver weight
        level KPI: contribution = driver value - target x driver weight + residual x driver weight

    For a ratio value = N/D the first term is (n_d - target x d_d)/D. The residual is what the parts do not add up to
    (a youth counted once in a region but in two of its municipalities, a driver without a row such as a provider new
    this year in a growth KPI); spreading it by weight makes the contributions add up to value - target exactly. -#}
{%- set branches = [
    ('region', 'municipality', 'municipality', 'region', 'first'),
    ('region', 'provider', 'municipality_provider', 'region', 'second'),
    ('region', 'care_form', 'municipality_care_form', 'region', 'second'),
    ('municipality', 'provider', 'municipality_provider', 'first', 'second'),
    ('municipality', 'care_form', 'municipality_care_form', 'first', 'second'),
    ('provider', 'municipality', 'municipality_provider', 'second', 'first'),
    ('provider', 'care_form', 'provider_care_form', 'first', 'second'),
    ('care_form', 'municipality', 'municipality_care_form', 'second', 'first'),
    ('care_form', 'provider', 'provider_care_form', 'second', 'first'),
] %}
{#- The drivers of one type behind one signal: their contributions add up to the signal's deviation. -#}
{%- set driver_group = ['kpi_id', 'scope_type', 'scope_code', 'period', 'driver_type'] %}
with signals as (
    select kpi_id, scope_type, scope_code, period, value, target
    from {{ ref('int_steering_signals_scored') }}
    where status in ('amber', 'red')
),

catalogue as (
    select kpi_id, unit, numerator_kind, denominator_kind, denominator_kind = 'none' as is_level
    from {{ ref('dim_kpi') }}
),

parts as (
    select
        kpi.kpi_id,
        kpi.scope_type,
        kpi.period,
        kpi.value,
        kpi.numerator,
        kpi.denominator,
        case when kpi.scope_type = 'municipality' then kpi.scope_code
            else {{ dbt.split_part('kpi.scope_code', "'|'", 1) }} end as first_code,
        case when kpi.scope_type = 'municipality' then null
            else {{ dbt.split_part('kpi.scope_code', "'|'", 2) }} end as second_code
    from {{ ref('int_kpi_values_unioned') }} as kpi
    where kpi.period_type = 'quarter'
        and kpi.scope_type in ('municipality', 'municipality_provider', 'municipality_care_form', 'provider_care_form')
),

parts_located as (
    select
        parts.*,
        dim_municipality.region_code
    from parts
    left join {{ ref('dim_municipality') }} as dim_municipality
        on parts.scope_type <> 'provider_care_form'
        and parts.first_code = dim_municipality.municipality_code
),

candidates as (
    {%- for signal_scope, driver_type, part_scope, scope_key, driver_key in branches %}
    select
        signals.kpi_id,
        signals.scope_type,
        signals.scope_code,
        signals.period,
        '{{ driver_type }}' as driver_type,
        parts_located.{{ driver_key }}_code as driver_code,
        parts_located.first_code || '|' || coalesce(parts_located.second_code, '') as part_code,
        parts_located.value,
        parts_located.numerator,
        parts_located.denominator
    from signals
    inner join parts_located
        on signals.kpi_id = parts_located.kpi_id
        and signals.period = parts_located.period
        and parts_located.scope_type = '{{ part_scope }}'
        and signals.scope_code = parts_located.{{ scope_key }}_code
    where signals.scope_type = '{{ signal_scope }}'
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

per_driver as (
    select
        candidates.kpi_id,
        candidates.scope_type,
        candidates.scope_code,
        candidates.period,
        candidates.driver_type,
        candidates.driver_code,
        catalogue.is_level,
        -- Doubles summed in a fixed order (the parts', and below the drivers'): a sum of doubles changes in its
        -- last bits with the order of its terms, which a parallel scan changes from run to run.
        sum(
            case when catalogue.is_level then candidates.value else candidates.value * candidates.denominator end
            order by candidates.part_code
        ) as mass,
        sum(
            cast(case when catalogue.is_level then candidates.numerator else candidates.denominator end
                as double precision)
            order by candidates.part_code
        ) as basis,
        max(case when {{ suppressed_in_publication('candidates', 'catalogue') }} then 1 else 0 end) = 1
            as small_count
    from candidates
    inner join catalogue
        on candidates.kpi_id = catalogue.kpi_id
    group by
        candidates.kpi_id, candidates.scope_type, candidates.scope_code, candidates.period,
        candidates.driver_type, candidates.driver_code, catalogue.is_level
),

-- The sums over a signal's drivers are grouped, not windowed: an ordered aggregate adds its terms in the order given.
driver_totals as (
    select
        {{ driver_group | join(', ') }},
        sum(basis order by driver_code) as total_basis,
        count(*) as drivers
    from per_driver
    group by {{ driver_group | join(', ') }}
),

weighted as (
    select
        per_driver.*,
        signals.value as signal_value,
        signals.target,
        driver_totals.total_basis,
        driver_totals.drivers
    from per_driver
    inner join signals
        on {{ same_kpi_scope_period('per_driver', 'signals') }}
    inner join driver_totals
        on {{ same_kpi_scope_period('per_driver', 'driver_totals') }}
        and per_driver.driver_type = driver_totals.driver_type
),

direct as (
    select
        weighted.*,
        -- Equal weights when the parts have no positive basis to weigh by (a level of zero in every part).
        case when weighted.total_basis > 0 then weighted.basis / weighted.total_basis else 1.0 / weighted.drivers end
            as weight,
        case
            when weighted.is_level then coalesce(weighted.mass, 0)
            when weighted.total_basis > 0 then coalesce(weighted.mass, 0) / weighted.total_basis
            else 0
        end as own_part
    from weighted
),

explained as (
    select
        {{ driver_group | join(', ') }},
        sum(own_part - target * weight order by driver_code) as explained
    from direct
    group by {{ driver_group | join(', ') }}
),

contributions as (
    select
        direct.*,
        direct.own_part - direct.target * direct.weight as direct_contribution,
        (direct.signal_value - direct.target) - explained.explained as residual
    from direct
    inner join explained
        on {{ same_kpi_scope_period('direct', 'explained') }}
        and direct.driver_type = explained.driver_type
),

final as (
    select
        kpi_id,
        scope_type,
        scope_code,
        period,
        driver_type,
        driver_code,
        cast(direct_contribution + residual * weight as double precision) as contribution,
        cast((direct_contribution + residual * weight) / (signal_value - target) as double precision) as share,
        -- Ranked on the share rounded, so two drivers with the same share are ordered by code, not by float noise.
        cast(row_number() over (
            partition by {{ driver_group | join(', ') }}
            order by
                {{ rounded('(direct_contribution + residual * weight) / (signal_value - target)', 9) }} desc,
                driver_code
        ) as integer) as driver_rank,
        small_count
    from contributions
)

select * from final

{#- The denominators and forecasts that are not counted from iJw facts, per published scope and period: the youth
    0-22 on 1 January (marts.fct_population) of youth_in_care_share, the region budget due by the period's end
    (marts.fct_budget lines of the municipalities covered, times the share of the year due) of budget_realisation_share,
    and the forecast marts' rows behind budget_forecast_share and provider_revenue_cap_share, and the CBS justice
    KPIs (int_kpi_cbs_justice_counted): the CBS statistic (marts.fct_cbs_indicator) each value is, and the youth 0-17
    and 12-22 (fct_population) of jeugdbescherming_share_cbs and jeugdreclassering_share_cbs. A view. -#}
{{ config(materialized='view') }}
with periods as (
    select period_type, period, first_day, last_day from {{ ref('int_kpi_periods') }}
),

coverage as (
    select municipality_code, region_code, period_type, period, first_day
    from {{ ref('int_municipality_periods_covered') }}
    where is_covered
),

population as (
    select
        'municipality' as scope_type,
        coverage.municipality_code as scope_code,
        coverage.period_type,
        coverage.period,
        population.municipality_code || '|' || cast(population.year as varchar) as row_key,
        cast(population.youth_0_22 as decimal(38, 12)) as amount
    from coverage
    inner join {{ ref('fct_population') }} as population
        on coverage.municipality_code = population.municipality_code
        and cast(extract(year from coverage.first_day) as integer) = population.year
    where population.youth_0_22 is not null
    union all
    select
        'region',
        coverage.region_code,
        coverage.period_type,
        coverage.period,
        population.municipality_code || '|' || cast(population.year as varchar),
        population.youth_0_22
    from coverage
    inner join {{ ref('fct_population') }} as population
        on coverage.municipality_code = population.municipality_code
        and cast(extract(year from coverage.first_day) as integer) = population.year
    where population.youth_0_22 is not null
),

as_of as (
    select cut_day from {{ ref('int_forecast_as_of') }}
),

budget_lines as (
    select
        coverage.municipality_code,
        coverage.region_code,
        coverage.period_type,
        coverage.period,
        budget.municipality_code || '|' || cast(budget.year as varchar) || '|' || budget.budget_line || '|'
            || budget.source as row_key,
        -- The share in fixed point, so DuckDB and PostgreSQL give the same amount to the last decimal.
        budget.amount_cents * cast(
            coalesce(phasing.share_due, cast(extract(month from periods.last_day) as integer) / 12.0) as decimal(38, 12)
        ) as amount
    from coverage
    cross join as_of
    inner join periods
        on coverage.period_type = periods.period_type
        and coverage.period = periods.period
        and as_of.cut_day >= periods.last_day
    inner join {{ ref('fct_budget') }} as budget
        on coverage.municipality_code = budget.municipality_code
        and cast(extract(year from coverage.first_day) as integer) = budget.year
        and budget.kind = 'region_budget'
    left join {{ ref('int_kpi_budget_shares_cumulated') }} as phasing
        on coverage.region_code = phasing.region_code
        and budget.year = phasing.year
        and cast(extract(month from periods.last_day) as integer) = phasing.month
),

budget_due as (
    select 'municipality' as scope_type, municipality_code as scope_code, period_type, period, row_key, amount
    from budget_lines
    union all
    select 'region', region_code, period_type, period, row_key, amount
    from budget_lines
),

budget_forecasts as (
    select
        municipality_code,
        region_code,
        cast(year as varchar) as period,
        municipality_code || '|' || perceel || '|' || cast(year as varchar) as row_key,
        forecast_year_end_cents,
        budget_cents
    from {{ ref('budget_forecast') }}
    where budget_cents is not null
),

forecasts as (
    select 'municipality' as scope_type, municipality_code as scope_code, 'year' as period_type, period, row_key,
        forecast_year_end_cents, budget_cents
    from budget_forecasts
    union all
    select 'region', region_code, 'year', period, row_key, forecast_year_end_cents, budget_cents
    from budget_forecasts
),

revenue_forecasts as (
    select
        'provider' as scope_type,
        provider_agb as scope_code,
        'year' as period_type,
        cast(year as varchar) as period,
        provider_agb || '|' || cast(year as varchar) as row_key,
        forecast_year_end_cents,
        cap_cents
    from {{ ref('provider_revenue_forecast') }}
    where cap_cents is not null
),

-- The CBS justice KPIs (int_kpi_cbs_justice_counted) are CBS figures: each value is its one fct_cbs_indicator row.
cbs_justice as (
    select
        scope_type,
        scope_code,
        period_type,
        period,
        indicator,
        {{ cbs_indicator_key() }} as row_key,
        cast(value as decimal(38, 12)) as amount
    from {{ ref('fct_cbs_indicator') }}
    where period_type = 'year'
        and indicator in ('JongerenMetJeugdbescherming_3', 'JongerenMetJeugdreclassering_4')
        and scope_type in ('municipality', 'region')
),

-- The justice shares' youth on 1 January (0-17 for jeugdbescherming, 12-22 for jeugdreclassering): the
-- municipality's, or the sum over the region's.
cbs_region_municipalities as (
    {{ cbs_region_municipalities() }}
),

cbs_youth as (
    {%- for band in ['0_17', '12_22'] %}
    {%- if not loop.first %}
    union all
    {%- endif %}
    select
        '{{ band }}' as band,
        'municipality' as scope_type,
        population.municipality_code as scope_code,
        'year' as period_type,
        cast(population.year as varchar) as period,
        population.municipality_code || '|' || cast(population.year as varchar) as row_key,
        cast(population.youth_{{ band }} as decimal(38, 12)) as amount
    from {{ ref('fct_population') }} as population
    where population.youth_{{ band }} is not null
    union all
    select
        '{{ band }}',
        'region',
        cbs_region_municipalities.region_code,
        'year',
        cast(population.year as varchar),
        population.municipality_code || '|' || cast(population.year as varchar),
        population.youth_{{ band }}
    from cbs_region_municipalities
    inner join {{ ref('fct_population') }} as population
        on cbs_region_municipalities.municipality_code = population.municipality_code
    where population.youth_{{ band }} is not null
    {%- endfor %}
),

final as (
    {{ kpi_contribution_rows('cbs_justice', 'fct_cbs_indicator', 'row_key', [
        ("'jeugdbescherming_youth_cbs'", 'numerator', 'row_key', 'amount',
            "indicator = 'JongerenMetJeugdbescherming_3'"),
        ("'jeugdbescherming_share_cbs'", 'numerator', 'row_key', 'amount',
            "indicator = 'JongerenMetJeugdbescherming_3'"),
        ("'jeugdreclassering_youth_cbs'", 'numerator', 'row_key', 'amount',
            "indicator = 'JongerenMetJeugdreclassering_4'"),
        ("'jeugdreclassering_share_cbs'", 'numerator', 'row_key', 'amount',
            "indicator = 'JongerenMetJeugdreclassering_4'"),
    ]) }}
    union all
    {{ kpi_contribution_rows('cbs_youth', 'fct_population', 'row_key', [
        ("'jeugdbescherming_share_cbs'", 'denominator', 'row_key', 'amount', "band = '0_17'"),
        ("'jeugdreclassering_share_cbs'", 'denominator', 'row_key', 'amount', "band = '12_22'"),
    ]) }}
    union all
    {{ kpi_contribution_rows('population', 'fct_population', 'row_key', [
        ("'youth_in_care_share'", 'denominator', 'row_key', 'amount', 'true'),
    ]) }}
    union all
    {{ kpi_contribution_rows('budget_due', 'fct_budget', 'row_key', [
        ("'budget_realisation_share'", 'denominator', 'row_key', 'amount', 'true'),
    ]) }}
    union all
    {{ kpi_contribution_rows('forecasts', 'budget_forecast', 'row_key', [
        ("'budget_forecast_share'", 'numerator', 'row_key', 'forecast_year_end_cents', 'true'),
        ("'budget_forecast_share'", 'denominator', 'row_key', 'budget_cents', 'true'),
    ]) }}
    union all
    {{ kpi_contribution_rows('revenue_forecasts', 'provider_revenue_forecast', 'row_key', [
        ("'provider_revenue_cap_share'", 'numerator', 'row_key', 'forecast_year_end_cents', 'true'),
        ("'provider_revenue_cap_share'", 'denominator', 'row_key', 'cap_cents', 'true'),
    ]) }}
)

select * from final

{{ config(schema='intermediate', contract={'enforced': false}, tags=['kpi']) }}
{#- Year-end forecasts of two cost series, each municipality x perceel and each provider (docs/budget-forecast.md):
    1. every month of the series up to the cut: known = net cents declared by the cut; age = months since the
       service month; share = the lag profile's share declared at that age (1 from forecast_maturity_months on);
    2. a month whose share is at least forecast_min_share_declared is estimated by the chain ladder, known / share;
    3. the other months of the year (too young to estimate, or after the cut) are projected at the run rate, the
       mean estimate of the series' latest three estimated months;
    4. error bound: forecast_error_z standard errors, from the lag variance of the estimated months (each declaration
       file is declared by that age or not, independently: var = (1 - share) / share^2 x sum of the known files'
       cents squared) and the projection variance (months scattering around the run rate with the variance s^2 of
       the latest twelve estimates: var = s^2 (h + h^2 / n) for h projected months and a rate from n months). -#}
{%- set maturity = var('forecast_maturity_months', 6) %}
{%- set min_share = var('forecast_min_share_declared', 0.5) %}
{%- set z = var('forecast_error_z', 3) %}
with costs as (
    select * from {{ ref('int_forecast_costs_developed') }}
),

as_of as (
    select * from {{ ref('int_forecast_as_of') }}
),

profile as (
    select * from {{ ref('int_forecast_lag_profile') }}
),

visible as (
    select costs.*
    from costs
    cross join as_of
    where costs.declaration_date <= as_of.cut_day
        and costs.service_month_index <= as_of.cut_month_index
),

series_lines as (
    select
        'municipality_perceel' as series_type,
        municipality_code as series_code,
        perceel,
        service_month_index,
        file_sha256,
        net_cents
    from visible
    union all
    select 'provider', provider_agb, cast(null as varchar), service_month_index, file_sha256, net_cents
    from visible
),

files as (
    select series_type, series_code, perceel, service_month_index, file_sha256, sum(net_cents) as file_cents
    from series_lines
    group by series_type, series_code, perceel, service_month_index, file_sha256
),

months_known as (
    select
        series_type,
        series_code,
        perceel,
        service_month_index,
        sum(file_cents) as known_cents,
        sum(1.0 * file_cents * file_cents) as file_cents_squared
    from files
    group by series_type, series_code, perceel, service_month_index
),

series as (
    select distinct series_type, series_code, perceel from months_known
),

month_grid as (
    select distinct {{ month_index('date_day') }} as month_index
    from {{ ref('dim_date') }}
    cross join as_of
    where {{ month_index('date_day') }} between (select min(service_month_index) from visible) and as_of.cut_month_index
),

months as (
    select
        series.series_type,
        series.series_code,
        series.perceel,
        month_grid.month_index,
        coalesce(months_known.known_cents, 0) as known_cents,
        coalesce(months_known.file_cents_squared, 0) as file_cents_squared,
        case
            when as_of.cut_month_index - month_grid.month_index >= {{ maturity }} then 1.0
            when (select count(*) from profile) = 0 then 1.0
            else coalesce(profile.share_declared, 0)
        end as share_declared
    from series
    cross join month_grid
    cross join as_of
    left join months_known
        on series.series_type = months_known.series_type
        and series.series_code = months_known.series_code
        and coalesce(series.perceel, '') = coalesce(months_known.perceel, '')
        and month_grid.month_index = months_known.service_month_index
    left join profile
        on as_of.cut_month_index - month_grid.month_index = profile.age_months
),

estimated as (
    select
        months.*,
        months.share_declared >= {{ min_share }} as is_estimated,
        case when months.share_declared >= {{ min_share }} then months.known_cents / months.share_declared end
            as estimate_cents,
        case
            when months.share_declared >= {{ min_share }}
                then (1 - months.share_declared) / (months.share_declared * months.share_declared)
                    * months.file_cents_squared
            else 0
        end as lag_variance,
        row_number() over (
            partition by months.series_type, months.series_code, months.perceel, months.share_declared >= {{ min_share }}
            order by months.month_index desc
        ) as recency
    from months
),

run_rates as (
    select
        series_type,
        series_code,
        perceel,
        avg(case when recency <= 3 then estimate_cents end) as run_rate_cents,
        count(case when recency <= 3 then 1 end) as run_rate_months,
        coalesce(var_samp(estimate_cents), 0) as month_variance
    from estimated
    where is_estimated and recency <= 12
    group by series_type, series_code, perceel
),

years as (
    select
        series_type,
        series_code,
        perceel,
        cast(floor(month_index / 12) as integer) as year,
        sum(known_cents) as realised_cents,
        sum(case when is_estimated then estimate_cents else 0 end) as estimated_cents,
        sum(case when is_estimated then 1 else 0 end) as months_estimated,
        sum(lag_variance) as lag_variance
    from estimated
    group by series_type, series_code, perceel, cast(floor(month_index / 12) as integer)
),

final as (
    select
        years.series_type,
        years.series_code,
        years.perceel,
        years.year,
        as_of.as_of_period,
        cast(years.realised_cents as bigint) as realised_cents_ytd,
        cast(round(
            years.estimated_cents + (12 - years.months_estimated) * coalesce(run_rates.run_rate_cents, 0)
        ) as bigint) as forecast_year_end_cents,
        12 - years.months_estimated as months_projected,
        cast(round({{ z }} * sqrt(
            years.lag_variance
            + coalesce(run_rates.month_variance, 0) * (
                (12 - years.months_estimated)
                + (12 - years.months_estimated) * (12 - years.months_estimated)
                / greatest(coalesce(run_rates.run_rate_months, 1), 1)
            )
        )) as bigint) as forecast_error_bound_cents
    from years
    cross join as_of
    left join run_rates
        on years.series_type = run_rates.series_type
        and years.series_code = run_rates.series_code
        and coalesce(years.perceel, '') = coalesce(run_rates.perceel, '')
)

select * from final

{#- Year-end forecasts of two cost series, each municipality x perceel and each provider (docs/budget-forecast.md):
    1. every month of the series up to the cut: known = net cents declared by the cut; age = months since the
       service month; share = the lag profile's share declared at that age (1 from forecast_maturity_months on);
    2. a month whose share is at least forecast_min_share_declared: chain ladder, known / share;
    3. run rate: the mean chain-ladder estimate of the series' latest three such months;
    4. a younger month: Bornhuetter-Ferguson, known + (1 - share) x run rate; a month of the year after the cut (or
       before the first month in the warehouse): the run rate;
    5. error bound: forecast_error_z standard errors, from the lag variance of the months (each declaration file
       is declared by that age or not, independently, so the chain ladder's variance is (1 - share) / share x the
       sum of the month's file cents squared, Bornhuetter-Ferguson's share x (1 - share) x that sum) and the
       projection variance (months scattering around the run rate with the variance s^2 of the latest twelve
       chain-ladder estimates: s^2 (h + h^2 / n) for h projected months and a rate from n months). The sum of squares
       of a month is estimated from its known files (divided by the share) but at least the recent months' mean, so a
       month with nothing declared yet still carries the variance of a typical month. -#}
{%- set maturity = var('forecast_maturity_months', 6) %}
{%- set min_share = var('forecast_min_share_declared', 0.5) %}
{%- set z = var('forecast_error_z', 3) %}
{#- The forecast's error bound in cents, z standard errors: the lag's variance and the run rate's. -#}
{%- set error_bound %}
    {{ z }} * sqrt(
        years.lag_variance
        + coalesce(run_rates.month_variance, 0) * (
            years.projected_months
            + years.projected_months * years.projected_months / greatest(coalesce(run_rates.run_rate_months, 1), 1)
        )
    )
{%- endset %}
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
    where {{ month_index('date_day') }}
        between (select min(visible.service_month_index) from visible) and as_of.cut_month_index
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
    -- The count above reads the whole profile; the join its row for the month's age.
    left join profile  -- noqa: AL04
        on as_of.cut_month_index - month_grid.month_index = profile.age_months
),

chain_ladder as (
    select
        months.*,
        months.share_declared >= {{ min_share }} as is_estimated,
        case when months.share_declared >= {{ min_share }} then months.known_cents / months.share_declared end
            as chain_ladder_cents,
        row_number() over (
            partition by
                months.series_type, months.series_code, months.perceel, months.share_declared >= {{ min_share }}
            order by months.month_index desc
        ) as recency
    from months
),

run_rates as (
    select
        series_type,
        series_code,
        perceel,
        avg(case when recency <= 3 then chain_ladder_cents end) as run_rate_cents,
        count(case when recency <= 3 then 1 end) as run_rate_months,
        coalesce(var_samp(chain_ladder_cents), 0) as month_variance,
        avg(case when recency <= 3 then file_cents_squared / share_declared end) as typical_file_cents_squared
    from chain_ladder
    where is_estimated and recency <= 12
    group by series_type, series_code, perceel
),

estimated as (
    select
        chain_ladder.series_type,
        chain_ladder.series_code,
        chain_ladder.perceel,
        chain_ladder.month_index,
        chain_ladder.known_cents,
        chain_ladder.is_estimated,
        case
            when chain_ladder.is_estimated then chain_ladder.chain_ladder_cents
            else chain_ladder.known_cents
                + (1 - chain_ladder.share_declared) * coalesce(run_rates.run_rate_cents, 0)
        end as estimate_cents,
        case when chain_ladder.is_estimated then 0 else 1 - chain_ladder.share_declared end as projected_weight,
        case
            when chain_ladder.share_declared >= 1 then 0
            when chain_ladder.is_estimated
                then (1 - chain_ladder.share_declared) / chain_ladder.share_declared * greatest(
                    chain_ladder.file_cents_squared / chain_ladder.share_declared,
                    coalesce(run_rates.typical_file_cents_squared, 0)
                )
            when chain_ladder.share_declared > 0
                then chain_ladder.share_declared * (1 - chain_ladder.share_declared) * greatest(
                    chain_ladder.file_cents_squared / chain_ladder.share_declared,
                    coalesce(run_rates.typical_file_cents_squared, 0)
                )
            else 0
        end as lag_variance
    from chain_ladder
    left join run_rates
        on chain_ladder.series_type = run_rates.series_type
        and chain_ladder.series_code = run_rates.series_code
        and coalesce(chain_ladder.perceel, '') = coalesce(run_rates.perceel, '')
),

years as (
    select
        series_type,
        series_code,
        perceel,
        cast(floor(month_index / 12) as integer) as year,
        sum(known_cents) as realised_cents,
        sum(estimate_cents) as estimated_cents,
        -- Months of the year after the cut, or before the first month in the warehouse, are wholly projected.
        count(*) as months_in_warehouse,
        sum(projected_weight) + 12 - count(*) as projected_months,
        12 - sum(case when is_estimated then 1 else 0 end) as months_projected,
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
        cast({{ rounded(
            'years.estimated_cents + (12 - years.months_in_warehouse) * coalesce(run_rates.run_rate_cents, 0)'
        ) }} as bigint) as forecast_year_end_cents,
        years.months_projected,
        cast({{ rounded(error_bound) }} as bigint) as forecast_error_bound_cents
    from years
    cross join as_of
    left join run_rates
        on years.series_type = run_rates.series_type
        and years.series_code = run_rates.series_code
        and coalesce(years.perceel, '') = coalesce(run_rates.perceel, '')
)

select * from final

{#- The data cut of the forecasts: the last day of a quarter. Declarations dated after it are ignored, so every
    forecast reads the warehouse as it stood at that quarter's end. Default: the latest complete quarter of the
    declaration files (the quarter of the latest DeclaratieDagtekening when that is the quarter's last day, else the
    quarter before); the dbt var forecast_as_of ('2024-Q3') sets it, e.g. to backtest the method. -#}
-- Used only without forecast_as_of; the linter also renders the branch that sets it.
with latest as (  -- noqa: ST03
    select max(declaration_date) as latest_declaration_date from {{ ref('fct_declaration_line') }}
),

quarters as (
    select quarter, min(date_day) as first_day, max(date_day) as last_day
    from {{ ref('dim_date') }}
    group by quarter
),

chosen as (
    {%- if var('forecast_as_of', none) %}
    select quarters.quarter, quarters.last_day
    from quarters
    where quarters.quarter = '{{ var("forecast_as_of") }}'
    {%- else %}
    select quarters.quarter, quarters.last_day
    from quarters
    cross join latest
    where quarters.last_day = (
        select max(candidates.last_day)
        from quarters as candidates
        where candidates.last_day <= latest.latest_declaration_date
    )
    {%- endif %}
),

final as (
    select
        quarter as as_of_period,
        last_day as cut_day,
        {{ month_index('last_day') }} as cut_month_index
    from chosen
)

select * from final

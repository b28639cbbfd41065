{#- Whether the warehouse's iJw traffic reaches as far back as a KPI looks, per KPI and period. Repeat care looks
    5 years back from each start (CBS herhaald beroep). The warehouse knows care from its earliest iJw message on: a
    youth whose care ended before that is unknown to it. A period's values are complete only when its first day minus
    the look-back is on or after that message's date; kpi_values marks the others. -#}
{%- set lookback_years = {'repeat_care_share': 5} -%}
with messages as (
    select message_date from {{ ref('stg_ijw__allocations') }}
    union all
    select message_date from {{ ref('stg_ijw__start_events') }}
    union all
    select message_date from {{ ref('stg_ijw__stop_events') }}
),

history as (
    select min(message_date) as history_from from messages
),

periods as (
    select period_type, period, first_day from {{ ref('int_kpi_periods') }}
),

lookbacks as (
    {%- for kpi_id, years in lookback_years.items() %}
    select
        '{{ kpi_id }}' as kpi_id,
        periods.period_type,
        periods.period,
        cast({{ dbt.dateadd('year', -years, 'periods.first_day') }} as date) as lookback_from
    from periods
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

final as (
    select
        lookbacks.kpi_id,
        lookbacks.period_type,
        lookbacks.period,
        lookbacks.lookback_from,
        history.history_from,
        lookbacks.lookback_from >= history.history_from as lookback_complete
    from lookbacks
    cross join history
)

select * from final

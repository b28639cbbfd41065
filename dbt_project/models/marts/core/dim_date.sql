with days as (
    {{ dbt.date_spine(datepart="day", start_date="cast('2015-01-01' as date)", end_date="cast('2032-01-01' as date)") }}
),

final as (
    select
        cast(date_day as date) as date_day,
        cast(extract(year from date_day) as integer) as year,
        cast(extract(month from date_day) as integer) as month,
        {{ period_code('date_day', 'quarter') }} as quarter,
        {{ period_code('date_day', 'half_year') }} as half_year
    from days
)

select * from final

{#- steering_drivers as published. A driver's contribution and share are withheld where its own figures hold a small
    count (small_count), where the published KPI row of the driver's own scope or of the signal's scope is withheld
    for that quarter (int_kpi_values_withheld), and beside any other withheld driver of the same signal and driver
    type: the contributions add up to the signal's deviation from its target, so one withheld driver would be the
    difference of the published rest. -#}
with drivers as (
    select
        kpi_id, scope_type, scope_code, period, driver_type, driver_code, contribution, share, driver_rank,
        small_count
    from {{ ref('steering_drivers') }}
),

withheld_quarters as (
    select kpi_id, scope_type, scope_code, period
    from {{ ref('int_kpi_values_withheld') }}
    where period_type = 'quarter'
),

own_withheld as (
    select
        drivers.*,
        drivers.small_count or exists (
            select 1
            from withheld_quarters
            where drivers.kpi_id = withheld_quarters.kpi_id
                and drivers.period = withheld_quarters.period
                and (
                    (drivers.driver_type = withheld_quarters.scope_type
                        and drivers.driver_code = withheld_quarters.scope_code)
                    or (drivers.scope_type = withheld_quarters.scope_type
                        and drivers.scope_code = withheld_quarters.scope_code)
                )
        ) as is_own_withheld
    from drivers
),

group_withheld as (
    select
        own_withheld.*,
        max(case when own_withheld.is_own_withheld then 1 else 0 end) over (
            partition by
                own_withheld.kpi_id,
                own_withheld.scope_type,
                own_withheld.scope_code,
                own_withheld.period,
                own_withheld.driver_type
        ) = 1 as is_withheld
    from own_withheld
),

final as (
    select
        kpi_id, scope_type, scope_code, period, driver_type, driver_code,
        case when not is_withheld then contribution end as contribution,
        case when not is_withheld then share end as share,
        driver_rank,
        small_count,
        {{ period_first_day('period') }} as period_start_date,
        {{ period_last_day('period') }} as period_end_date,
        is_withheld
    from group_withheld
)

select * from final

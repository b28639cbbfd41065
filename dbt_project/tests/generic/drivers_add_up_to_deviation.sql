{#- Fails for every signal and driver type whose driver contributions do not add up to value - target of the signal
    (steering_signals holds the published value, which is the exact value for every amber or red signal). -#}
{% test drivers_add_up_to_deviation(model) %}
with sums as (
    select kpi_id, scope_type, scope_code, period, driver_type, sum(contribution) as contributions
    from {{ model }}
    group by kpi_id, scope_type, scope_code, period, driver_type
)

select sums.*, signals.value - signals.target as deviation
from sums
inner join {{ ref('int_steering_signals_scored') }} as signals
    on sums.kpi_id = signals.kpi_id
    and sums.scope_type = signals.scope_type
    and sums.scope_code = signals.scope_code
    and sums.period = signals.period
where abs(sums.contributions - (signals.value - signals.target))
    > 1e-9 * greatest(1, abs(signals.value - signals.target))
{% endtest %}

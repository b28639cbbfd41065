{#- The data cut a quarterly close records: the latest delivery date among the deliveries the close sees
    (close_deliveries, within the var data_cut). Its report page names it, and close_cut_pairs orders the closes of a
    quarter and region by it. Null when the close sees no delivery. -#}
with close_deliveries as (
    select delivery_date from {{ ref('close_deliveries') }}
),

final as (
    select max(delivery_date) as data_cut from close_deliveries
)

select * from final

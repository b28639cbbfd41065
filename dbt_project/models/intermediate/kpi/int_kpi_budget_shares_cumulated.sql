{#- The share of the year's budget due by the end of each month where the region gives its own phasing (seed
    budget_phasing, cumulated); a month without one is due pro rata (months / 12) where it is read
    (int_kpi_costs_summed, and the audit tier's trace of budget_realisation_share). -#}
with phasing as (
    select region_code, year, month, share from {{ ref('budget_phasing') }}
),

final as (
    select
        region_code,
        year,
        month,
        sum(share) over (partition by region_code, year order by month) as share_due
    from phasing
)

select * from final

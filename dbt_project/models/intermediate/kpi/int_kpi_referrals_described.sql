{#- Allocations (fct_referral) with the municipality's region: what the allocation KPIs (int_kpi_referrals_counted)
    and the audit tier's trace (audit_kpi_referral_contributions) scope and count. -#}
with referrals as (
    select
        fct_referral.allocation_number,
        fct_referral.municipality_code,
        dim_municipality.region_code,
        fct_referral.provider_agb,
        fct_referral.care_form_code,
        fct_referral.referrer_type_code,
        fct_referral.allocated_on,
        fct_referral.days_request_to_allocation,
        fct_referral.days_allocation_to_start
    from {{ ref('fct_referral') }} as fct_referral
    inner join {{ ref('dim_municipality') }} as dim_municipality
        on fct_referral.municipality_code = dim_municipality.municipality_code
),

final as (
    select
        allocation_number, municipality_code, region_code, provider_agb, care_form_code, referrer_type_code,
        allocated_on, days_request_to_allocation, days_allocation_to_start
    from referrals
)

select * from final

{#- Merged trajectories (fct_trajectory) with what the KPI families and the audit tier's trace select and scope them
    by: the municipality's region, the care form's CBS care domain and the youth's birth year. Read by the
    trajectory-based KPI families and audit_kpi_trajectory_contributions, so they all see the same rows. -#}
with trajectories as (
    select
        fct_trajectory.trajectory_id,
        fct_trajectory.client_key,
        fct_trajectory.municipality_code,
        dim_municipality.region_code,
        fct_trajectory.provider_agb,
        fct_trajectory.care_form_code,
        fct_trajectory.start_date,
        fct_trajectory.end_date,
        fct_trajectory.end_reason_code,
        fct_trajectory.duration_days,
        fct_trajectory.started_in_crisis,
        dim_care_form.cbs_care_domain,
        dim_client.birth_year
    from {{ ref('fct_trajectory') }} as fct_trajectory
    inner join {{ ref('dim_municipality') }} as dim_municipality
        on fct_trajectory.municipality_code = dim_municipality.municipality_code
    inner join {{ ref('dim_care_form') }} as dim_care_form
        on fct_trajectory.care_form_code = dim_care_form.care_form_code
    left join {{ ref('dim_client') }} as dim_client
        on fct_trajectory.client_key = dim_client.client_key
),

final as (
    select
        trajectory_id, client_key, municipality_code, region_code, provider_agb, care_form_code, start_date, end_date,
        end_reason_code, duration_days, started_in_crisis, cbs_care_domain, birth_year
    from trajectories
)

select * from final

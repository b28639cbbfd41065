{#- Quarantined records per reason over all runs (audit tier), for the summary `make run` prints; files refused
    whole (no record_ref) are counted in rpt_run_summary's files_rejected instead. -#}
with audit_quarantine as (
    select * from {{ ref('audit_quarantine') }}
),

final as (
    select
        reason_code,
        cast(count(*) as bigint) as records
    from audit_quarantine
    where record_ref is not null
    group by reason_code
)

select * from final

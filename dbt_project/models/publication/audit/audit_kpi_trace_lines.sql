{#- audit_tier.kpi_trace_lines: what the trace command lists, one row per contribution and source record: the KPI
    value (kpi_id, scope, period), the role, the fact row with its counting key or amount, and the message record it
    came from (file, line, record). A fact row without message records (a budget or forecast row) has one row with
    the record columns null. A view. -#}
{{ config(materialized='view') }}
with contributions as (
    select
        kpi_id, role, scope_type, scope_code, period_type, period, fact_table, fact_key, counting_key, measure, amount
    from {{ ref('audit_kpi_contributions') }}
),

records as (
    select
        fact_table, fact_key, message_type, record_id, file_sha256, file_path, source_line, source_record
    from {{ ref('audit_fact_source_records') }}
),

final as (
    select
        contributions.kpi_id,
        contributions.role,
        contributions.scope_type,
        contributions.scope_code,
        contributions.period_type,
        contributions.period,
        contributions.fact_table,
        contributions.fact_key,
        contributions.counting_key,
        contributions.measure,
        contributions.amount,
        records.message_type,
        records.record_id,
        records.file_path,
        records.file_sha256,
        records.source_line,
        records.source_record
    from contributions
    left join records
        on contributions.fact_table = records.fact_table
        and contributions.fact_key = records.fact_key
)

select * from final

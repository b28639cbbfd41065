{#- The figures `make run` prints about the warehouse (orchestration/summary.py), in one row: the files and JW323
    declaration lines the ingest loaded and quarantined over all runs (audit tier), and how many KPI, CBS and budget
    rows the public tier holds. -#}
with audit_ingest_ledger as (
    select * from {{ ref('audit_ingest_ledger') }}
),

public_kpi_values as (
    select * from {{ ref('public_kpi_values') }}
),

public_fct_cbs_indicator as (
    select * from {{ ref('public_fct_cbs_indicator') }}
),

public_fct_population as (
    select * from {{ ref('public_fct_population') }}
),

public_fct_budget as (
    select * from {{ ref('public_fct_budget') }}
),

files as (
    select
        sum(case when status = 'loaded' then 1 else 0 end) as files_loaded,
        sum(case when status = 'rejected' then 1 else 0 end) as files_rejected,
        sum(case when status = 'duplicate' then 1 else 0 end) as files_duplicate
    from audit_ingest_ledger
),

declaration_lines as (
    -- A file refused whole has no message type yet; its lines count as quarantined declaration lines.
    select
        sum(records_accepted) as records_accepted,
        sum(records_quarantined) as records_quarantined,
        sum(amount_cents_accepted) as cents_accepted,
        sum(amount_cents_quarantined) as cents_quarantined
    from audit_ingest_ledger
    where message_type = 'JW323' or message_type is null
),

kpis as (
    select
        count(distinct kpi_id) as kpis,
        count(*) as kpi_rows
    from public_kpi_values
),

final as (
    select
        cast(coalesce(files.files_loaded, 0) as bigint) as files_loaded,
        cast(coalesce(files.files_rejected, 0) as bigint) as files_rejected,
        cast(coalesce(files.files_duplicate, 0) as bigint) as files_duplicate,
        cast(coalesce(declaration_lines.records_accepted, 0) as bigint) as jw323_records_accepted,
        cast(coalesce(declaration_lines.records_quarantined, 0) as bigint) as jw323_records_quarantined,
        cast(coalesce(declaration_lines.cents_accepted, 0) as bigint) as jw323_cents_accepted,
        cast(coalesce(declaration_lines.cents_quarantined, 0) as bigint) as jw323_cents_quarantined,
        cast(kpis.kpis as bigint) as kpis,
        cast(kpis.kpi_rows as bigint) as kpi_rows,
        cast((select count(*) from public_fct_cbs_indicator) as bigint) as cbs_indicator_rows,
        cast((select count(*) from public_fct_population) as bigint) as population_rows,
        cast((select count(*) from public_fct_budget) as bigint) as budget_rows,
        cast((select count(*) from public_fct_budget as budget where budget.amount_cents is null) as bigint)
            as budget_rows_without_amount
    from files
    cross join declaration_lines
    cross join kpis
)

select * from final

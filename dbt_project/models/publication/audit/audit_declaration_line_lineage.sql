{#- Where every accepted declaration line came from: the file (sha256, as in the ingest ledger), its line and its
    position among the file's records, beside the line's own reference and amount, so an auditor traces a figure of
    the warehouse back to the message that carried it. No client key: an audit needs the file, not the youth.
    Incremental as fct_declaration_line: each build adds the lines of the files delivered since
    (macros/delivered_files.sql). -#}
{{ config(
    materialized='incremental', incremental_strategy='append', on_schema_change='fail',
    full_refresh=rebuilt_at_a_data_cut()
) }}
select
    reference_number, previous_reference_number, declaration_number, declaration_date, provider_agb,
    municipality_code, product_code, period_start, period_end, amount_cents, debit_credit, file_sha256, source_line,
    source_record
from {{ ref('fct_declaration_line') }} as lines
{{- files_not_built('lines') }}

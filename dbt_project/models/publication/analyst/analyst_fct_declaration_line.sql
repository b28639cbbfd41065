{#- One row per accepted declaration line (credits netted), by pseudonymous client: analysts only. Incremental as
    fct_declaration_line: each build adds the lines of the files delivered since (macros/delivered_files.sql). -#}
{{ config(
    materialized='incremental', incremental_strategy='append', on_schema_change='fail',
    full_refresh=rebuilt_at_a_data_cut()
) }}
select
    client_key, municipality_code, provider_agb, allocation_number, product_category, product_code,
    period_start, period_end, volume, unit_code, tariff_cents, amount_cents, debit_credit, declaration_number,
    declaration_date, reference_number, previous_reference_number, file_sha256, source_line, source_record
from {{ ref('fct_declaration_line') }} as lines
{{- files_not_built('lines') }}

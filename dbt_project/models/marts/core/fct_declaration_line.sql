{#- Incremental: each build adds the lines of the files delivered since (macros/delivered_files.sql). The contract
    fails a changed column list; append_new_columns, as a contract allows, because `fail` also fails on PostgreSQL,
    where the contract's varchar columns meet the new rows' text. -#}
{{ config(
    materialized='incremental', incremental_strategy='append', on_schema_change='append_new_columns',
    full_refresh=rebuilt_at_a_data_cut()
) }}
with declaration_lines as (
    select * from {{ ref('stg_ijw__declaration_lines') }} as lines
    {{- files_not_built('lines') }}
),

final as (
    select
        client_key,
        municipality_code,
        provider_agb,
        allocation_number,
        product_category,
        product_code,
        period_start,
        period_end,
        volume,
        unit_code,
        tariff_cents,
        amount_cents,
        debit_credit,
        declaration_number,
        declaration_date,
        reference_number,
        previous_reference_number,
        file_sha256,
        source_line,
        source_record
    from declaration_lines
)

select * from final

{#- Every record or file the ingest refused, with its reason and amount, and the municipality,
    provider and period of a refused record where it had them, for auditors reconciling the ledger. -#}
select
    file_sha256, file_path, message_type, record_ref, reason_code, reason, amount_cents, municipality_code,
    provider_agb, period_start, quarantined_at, run_id
from {{ source('audit', 'quarantine') }}

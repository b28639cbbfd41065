{#- Every record or file the ingest refused, with its reason and amount, for auditors reconciling the ledger. -#}
select
    file_sha256, file_path, message_type, record_ref, reason_code, reason, amount_cents, quarantined_at, run_id
from {{ source('audit', 'quarantine') }}

{#- The ingest ledger for auditors: per landed file, what was read, accepted and quarantined, in records and cents
    (records_read = accepted + quarantined, and the same for amounts). -#}
select
    file_path, file_sha256, message_type, records_read, records_accepted, records_quarantined, amount_cents_read,
    amount_cents_accepted, amount_cents_quarantined, status, ingested_at, run_id
from {{ source('audit', 'ingest_ledger') }}

{#- The iJw deliveries a quarterly close sees: one row per landed message file within the data cut, with its delivery
    date (the message's own date), what it holds (debit and credit lines, cents) and the care dates its records are
    about. The close keeps these rows with its figures, so close_change_deliveries can name the late declarations and
    credits that moved a figure between two cuts. -#}
with declaration_lines as (
    select * from {{ ref('stg_ijw__declaration_lines') }}
),

allocations as (
    select * from {{ ref('stg_ijw__allocations') }}
),

start_events as (
    select * from {{ ref('stg_ijw__start_events') }}
),

stop_events as (
    select * from {{ ref('stg_ijw__stop_events') }}
),

referral_requests as (
    select * from {{ ref('stg_ijw__referral_requests') }}
),

dim_municipality as (
    select * from {{ ref('dim_municipality') }}
),

records as (
    select
        file_sha256,
        file_path,
        'JW323' as message_type,
        declaration_date as delivery_date,
        municipality_code,
        provider_agb,
        case when debit_credit = 'D' then 1 else 0 end as debit_line,
        case when debit_credit = 'C' then 1 else 0 end as credit_line,
        case when debit_credit = 'D' then amount_cents else 0 end as declared_cents,
        case when debit_credit = 'C' then amount_cents else 0 end as credited_cents,
        period_start as service_from,
        period_end as service_to
    from declaration_lines
    union all
    select
        file_sha256, file_path, 'JW301', message_date, municipality_code, provider_agb, 0, 0, 0, 0,
        valid_from, coalesce(valid_to, valid_from)
    from allocations
    union all
    select
        file_sha256, file_path, 'JW305', message_date, municipality_code, provider_agb, 0, 0, 0, 0,
        start_date, start_date
    from start_events
    union all
    select
        file_sha256, file_path, 'JW307', message_date, municipality_code, provider_agb, 0, 0, 0, 0,
        end_date, end_date
    from stop_events
    union all
    select
        file_sha256, file_path, 'JW315', requested_on, municipality_code, provider_agb, 0, 0, 0, 0,
        requested_valid_from, coalesce(requested_valid_to, requested_valid_from)
    from referral_requests
),

per_file as (
    select
        file_sha256,
        min(file_path) as file_path,
        min(message_type) as message_type,
        max(delivery_date) as delivery_date,
        min(municipality_code) as municipality_code,
        min(provider_agb) as provider_agb,
        count(*) as records,
        sum(debit_line) as debit_lines,
        sum(credit_line) as credit_lines,
        sum(declared_cents) as declared_cents,
        sum(credited_cents) as credited_cents,
        min(service_from) as service_from,
        max(service_to) as service_to
    from records
    group by file_sha256
),

final as (
    select
        per_file.file_sha256,
        per_file.file_path,
        per_file.message_type,
        case
            when per_file.message_type <> 'JW323' then per_file.message_type
            when per_file.credit_lines > 0 and per_file.debit_lines > 0 then 'declaration_with_credits'
            when per_file.credit_lines > 0 then 'credit'
            else 'declaration'
        end as delivery_kind,
        per_file.delivery_date,
        per_file.municipality_code,
        dim_municipality.region_code,
        per_file.provider_agb,
        cast(per_file.records as bigint) as records,
        cast(per_file.debit_lines as bigint) as debit_lines,
        cast(per_file.credit_lines as bigint) as credit_lines,
        cast(per_file.declared_cents as bigint) as declared_cents,
        cast(per_file.credited_cents as bigint) as credited_cents,
        per_file.service_from,
        per_file.service_to
    from per_file
    left join dim_municipality on per_file.municipality_code = dim_municipality.municipality_code
)

select * from final

{#- Row-level lineage of a netted declaration line (int_declaration_lines_netted, what the cost per trajectory and the
    realisation read): the debit and the credits that cancel it (a credit names its debit in VorigReferentieNummer),
    each with the file (sha256 and path), its line and its position among the file's Prestaties. A debit and its
    credits are found by two joins on equal keys: one join on a key that is either of two columns matched every line
    of a provider against every netted line of that provider. -#}
with lines as (
    select
        provider_agb, reference_number, previous_reference_number, debit_credit, amount_cents, file_sha256, file_path,
        source_line, source_record,
        case when debit_credit = 'D' then reference_number else previous_reference_number end as debit_reference_number
    from {{ ref('stg_ijw__declaration_lines') }}
    where debit_credit in ('D', 'C')
),

netted as (
    select provider_agb, reference_number from {{ ref('int_declaration_lines_netted') }}
),

final as (
    select
        netted.provider_agb,
        netted.reference_number as debit_reference_number,
        'JW323' as message_type,
        lines.reference_number as record_id,
        lines.debit_credit,
        lines.amount_cents,
        lines.file_sha256,
        lines.file_path,
        lines.source_line,
        lines.source_record
    from netted
    inner join lines
        on netted.provider_agb = lines.provider_agb
        and netted.reference_number = lines.debit_reference_number
)

select * from final

{#- The deliveries that moved a close's figures since the previous cut: per pair of consecutive cuts of a quarter and
    region (as in close_changes), every iJw file the later close saw and the earlier did not, about care up to the
    quarter's last day (a late declaration, a credit, a late start or stop). A file about care after the quarter
    cannot move its figures and is left out. -#}
with cut_pairs as (
    select * from {{ ref('close_cut_pairs') }}
),

deliveries as (
    select * from {{ source('close_history', 'deliveries') }}
),

arrived as (
    select
        {{ close_cut_pair('cut_pairs') }},
        deliveries.file_sha256,
        deliveries.file_path,
        deliveries.message_type,
        deliveries.delivery_kind,
        deliveries.delivery_date,
        deliveries.municipality_code,
        deliveries.provider_agb,
        deliveries.records,
        deliveries.debit_lines,
        deliveries.credit_lines,
        deliveries.declared_cents,
        deliveries.credited_cents,
        deliveries.service_from,
        deliveries.service_to
    from cut_pairs
    inner join deliveries on cut_pairs.to_close_id = deliveries.close_id
    where not exists (
        select 1
        from deliveries as seen_before
        where seen_before.close_id = cut_pairs.from_close_id
            and seen_before.file_sha256 = deliveries.file_sha256
    )
),

final as (
    select * from arrived
    where service_from <= {{ period_last_day('quarter') }}
)

select * from final

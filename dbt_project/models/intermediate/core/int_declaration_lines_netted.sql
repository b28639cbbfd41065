{#- One row per accepted debit with what is left of it after the credits that cancel it (a credit names its debit
    in previous_reference_number; TR314, TR389 and CD060 at the door allow one line per reference and at most one
    credit per debit, which mirrors it). -#}
with lines as (
    select * from {{ ref('stg_ijw__declaration_lines') }}
),

debits as (
    select * from lines where debit_credit = 'D'
),

credits as (
    select * from lines where debit_credit = 'C'
),

final as (
    select
        debits.provider_agb,
        debits.reference_number,
        debits.client_key,
        debits.municipality_code,
        debits.allocation_number,
        debits.product_code,
        debits.period_start,
        debits.unit_code,
        debits.amount_cents + coalesce(credits.amount_cents, 0) as net_amount_cents,
        case when credits.reference_number is null then debits.volume else 0 end as net_volume,
        credits.reference_number is not null as is_credited
    from debits
    left join credits
        on debits.provider_agb = credits.provider_agb
        and debits.reference_number = credits.previous_reference_number
)

select * from final

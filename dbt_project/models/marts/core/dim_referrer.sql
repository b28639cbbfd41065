with referrer_types as (
    select * from {{ ref('cod327_referrer_types') }}
),

final as (
    select
        referrer_type_code,
        referrer_type_name_nl
    from referrer_types
)

select * from final

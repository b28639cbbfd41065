{#- The latest version of each JW315 request (one provider, client and ReferentieAanbieder): a request re-sent with a
    change counts once, as last sent. Read by int_allocations_referred (the referrer an allocation answers to) and the
    waiting counts (int_kpi_waiting_counted). -#}
with request_versions as (
    select
        requests.*,
        row_number() over (
            partition by requests.provider_agb, requests.client_key, requests.provider_reference
            order by
                requests.requested_on desc,
                requests.file_path desc,
                requests.source_line desc,
                requests.source_record desc,
                requests.file_sha256 desc
        ) as version_rank
    from {{ ref('stg_ijw__referral_requests') }} as requests
),

final as (
    select
        client_key,
        municipality_code,
        provider_agb,
        requested_on,
        provider_reference,
        product_category,
        product_code,
        referrer_type_code,
        file_sha256,
        source_record
    from request_versions
    where version_rank = 1
)

select * from final

{#- One row per pseudonymous client. Birth year and gender come from the latest JW301 or JW315 that carried them;
    the BSN, names and addresses never reach the warehouse. -#}
with described as (
    select
        client_key, birth_year, gender_code, message_date as described_on, file_path, source_line, source_record,
        file_sha256
    from {{ ref('stg_ijw__allocations') }}
    union all
    select client_key, birth_year, gender_code, requested_on, file_path, source_line, source_record, file_sha256
    from {{ ref('stg_ijw__referral_requests') }}
),

latest_description as (
    select
        *,
        row_number() over (
            partition by client_key
            order by described_on desc, file_path desc, source_line desc, source_record desc, file_sha256 desc
        ) as description_rank
    from described
),

seen as (
    select client_key from described
    union
    select client_key from {{ ref('stg_ijw__start_events') }}
    union
    select client_key from {{ ref('stg_ijw__stop_events') }}
    union
    select client_key from {{ ref('stg_ijw__declaration_lines') }}
),

final as (
    select
        seen.client_key,
        latest_description.birth_year,
        latest_description.gender_code
    from seen
    left join latest_description
        on seen.client_key = latest_description.client_key
        and latest_description.description_rank = 1
)

select * from final

{#- audit_tier.fact_source_records: for every fact row the KPI contributions name (fact_table, fact_key), the source
    records it came from: message type, the record's own identifiers (record_id), the file (sha256 and path), its line
    and its position among the file's records. Trajectories and referrals through their lineage bridges, a
    declaration line and a waiting request as the one record they are, a population row or a CBS statistic as its CBS file. A view. -#}
{{ config(materialized='view') }}
with trajectory_records as (
    select
        'fct_trajectory' as fact_table, trajectory_id as fact_key, message_type, record_id, file_sha256, file_path,
        source_line, source_record
    from {{ ref('audit_trajectory_lineage') }}
),

referral_records as (
    select
        'fct_referral' as fact_table, cast(allocation_number as varchar) as fact_key, message_type, record_id,
        file_sha256, file_path, source_line, source_record
    from {{ ref('audit_referral_lineage') }}
),

declaration_records as (
    select
        'fct_declaration_line' as fact_table, provider_agb || '|' || reference_number as fact_key,
        'JW323' as message_type, reference_number as record_id, file_sha256, file_path, source_line, source_record
    from {{ ref('stg_ijw__declaration_lines') }}
),

request_records as (
    select
        'jw315_request' as fact_table, file_sha256 || ':' || cast(source_record as varchar) as fact_key,
        'JW315' as message_type, provider_agb || '|' || provider_reference as record_id, file_sha256, file_path,
        source_line, source_record
    from {{ ref('stg_ijw__referral_requests') }}
),

population_records as (
    select
        'fct_population' as fact_table, municipality_code || '|' || cast(year as varchar) as fact_key,
        table_id as message_type, municipality_code || '|' || cast(year as varchar) as record_id, file_sha256,
        cast(null as varchar) as file_path, cast(null as bigint) as source_line, cast(null as bigint) as source_record
    from {{ ref('fct_population') }}
),

cbs_indicator_records as (
    select
        'fct_cbs_indicator' as fact_table, {{ cbs_indicator_key() }} as fact_key, table_id as message_type,
        {{ cbs_indicator_key() }} as record_id, file_sha256, cast(null as varchar) as file_path,
        cast(null as bigint) as source_line, cast(null as bigint) as source_record
    from {{ ref('fct_cbs_indicator') }}
),

final as (
    select * from trajectory_records
    union all
    select * from referral_records
    union all
    select * from declaration_records
    union all
    select * from request_records
    union all
    select * from population_records
    union all
    select * from cbs_indicator_records
)

select * from final

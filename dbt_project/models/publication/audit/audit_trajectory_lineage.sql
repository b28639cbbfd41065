{#- Row-level lineage of marts.fct_trajectory: every JW301 (allocation), JW305 (start) and JW307 (stop) record of the
    care episodes a trajectory merges, each version and withdrawal included, with the file (sha256 and path), its line
    and its position among the file's records. An episode is an allocation and product (int_trajectory_episodes_mapped);
    a JW301 record belongs to every episode of its allocation number. -#}
with episodes as (
    select trajectory_id, allocation_number, product_code from {{ ref('int_trajectory_episodes_mapped') }}
),

records as (
    select
        'JW301' as message_type, allocation_number, cast(null as varchar) as product_code,
        cast(allocation_number as varchar) || '|' || product_code as record_id,
        file_sha256, file_path, source_line, source_record
    from {{ ref('stg_ijw__allocations') }}
    {%- for message_type, events in [('JW305', 'stg_ijw__start_events'), ('JW307', 'stg_ijw__stop_events')] %}
    union all
    select
        '{{ message_type }}', allocation_number, product_code,
        cast(allocation_number as varchar) || '|' || coalesce(product_code, '') || '|' || cast(start_date as varchar),
        file_sha256, file_path, source_line, source_record
    from {{ ref(events) }}
    {%- endfor %}
),

final as (
    select distinct
        episodes.trajectory_id,
        records.message_type,
        records.record_id,
        records.file_sha256,
        records.file_path,
        records.source_line,
        records.source_record
    from episodes
    inner join records
        on episodes.allocation_number = records.allocation_number
        and (records.product_code is null or coalesce(episodes.product_code, '') = records.product_code)
)

select * from final

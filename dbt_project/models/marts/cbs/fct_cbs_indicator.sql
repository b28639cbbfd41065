{#- Every CBS statistic the warehouse holds, long form, for the municipalities and regions in scope and NL.
    Per table only the latest snapshot file counts; 84134NED covers the years before 85099NED starts (2021). -#}
with observations as (
    select * from {{ ref('stg_cbs__jeugdzorg_kerncijfers') }}
    union all
    select * from {{ ref('stg_cbs__jeugdzorg_trajecten') }}
    union all
    select * from {{ ref('stg_cbs__jeugdzorg_gemeenten') }}
    union all
    select * from {{ ref('stg_cbs__jeugdzorg_kosten') }}
),

with_latest_file as (
    select
        observations.*,
        max(observations.ingested_at) over (partition by observations.table_id) as latest_ingested_at
    from observations
),

latest as (
    select *
    from with_latest_file
    where ingested_at = latest_ingested_at
        and not (upper(table_id) = '84134NED' and year >= 2021)
),

scopes as (
    select municipality_code as scope_code, 'municipality' as scope_type from {{ ref('dim_municipality') }}
    union all
    select region_code as scope_code, 'region' as scope_type from {{ ref('dim_region') }}
    union all
    select 'NL01' as scope_code, 'nl' as scope_type
),

final as (
    select
        latest.table_id,
        scopes.scope_type,
        latest.scope_code,
        latest.period_type,
        latest.period,
        latest.indicator,
        latest.indicator_title,
        latest.category,
        latest.value,
        latest.unit,
        latest.status,
        latest.file_sha256
    from latest
    inner join scopes
        on latest.scope_code = scopes.scope_code
)

select * from final

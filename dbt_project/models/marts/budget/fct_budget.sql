{#- Budget and realisation per municipality, year and budget line, from three sources:
    Iv3 lasten (CBS dataderden) rolled up over the youth taakvelden by care form (seed iv3_youth_taakvelden),
    83454NED begrote/gerealiseerde kosten jeugdzorg, and the region's own budget per perceel.
    A rollup line with any 'geen opgave' figure is null: a partial sum would look like a real amount. -#}
with iv3 as (
    select * from {{ ref('stg_cbs__iv3') }}
),

iv3_latest as (
    select *
    from (
        select
            iv3.*,
            row_number() over (
                partition by iv3.municipality_code, iv3.year, iv3.report_kind, iv3.taakveld_key, iv3.category
                -- Files loaded in one transaction share ingested_at: the later path wins, as in the ingest.
                order by iv3.ingested_at desc, iv3.file_path desc
            ) as newest_first
        from iv3
    ) as ranked
    where newest_first = 1
),

taakvelden as (
    select * from {{ ref('iv3_youth_taakvelden') }}
),

iv3_lines as (
    select
        iv3_latest.municipality_code,
        iv3_latest.year,
        taakvelden.rollup_line as budget_line,
        case iv3_latest.report_kind when 'begroting' then 'begroting' else 'realisatie' end as kind,
        case
            when count(*) = count(iv3_latest.amount_cents) then sum(iv3_latest.amount_cents)
        end as amount_cents,
        'CBS Iv3 ' || max(iv3_latest.table_id) as source,
        max(iv3_latest.status) as status
    from iv3_latest
    inner join taakvelden
        on iv3_latest.taakveld_code = taakvelden.taakveld_code
        and iv3_latest.year >= taakvelden.valid_from_year
        and iv3_latest.year <= coalesce(taakvelden.valid_to_year, 9999)
    where iv3_latest.category = 'L'
        and iv3_latest.report_kind in ('begroting', 'jaarrekening')
    group by 1, 2, 3, 4
),

costs as (
    select * from {{ ref('stg_cbs__jeugdzorg_kosten') }}
),

cbs_cost_lines as (
    select
        scope_code as municipality_code,
        year,
        'jeugdzorg_totaal' as budget_line,
        case when lower(indicator_title) like '%begro%' then 'begroting' else 'realisatie' end as kind,
        -- 83454NED reports x EUR 1,000.
        cast({{ rounded('value * 100000') }} as bigint) as amount_cents,
        'CBS ' || table_id as source,
        status
    from (
        select costs.*, max(costs.ingested_at) over (partition by costs.table_id) as latest_ingested_at
        from costs
        where costs.period_type = 'year'
    ) as with_latest_file
    where ingested_at = latest_ingested_at
),

region_lines as (
    select *
    from (
        select
            lines.*,
            row_number() over (
                partition by lines.municipality_code, lines.year, lines.perceel
                order by lines.ingested_at desc, lines.file_path desc, lines.source_line desc
            ) as newest_first
        from {{ ref('stg_budgets__region_lines') }} as lines
    ) as ranked
    where newest_first = 1
),

region_budget_lines as (
    select
        municipality_code,
        year,
        perceel as budget_line,
        'region_budget' as kind,
        amount_cents,
        'regiobudget' as source,
        cast(null as varchar) as status
    from region_lines
),

all_lines as (
    select * from iv3_lines
    union all
    select * from cbs_cost_lines
    union all
    select * from region_budget_lines
),

municipalities as (
    select municipality_code from {{ ref('dim_municipality') }}
),

final as (
    select
        all_lines.municipality_code,
        cast(all_lines.year as integer) as year,
        all_lines.budget_line,
        all_lines.kind,
        cast(all_lines.amount_cents as bigint) as amount_cents,
        all_lines.source,
        all_lines.status
    from all_lines
    inner join municipalities
        on all_lines.municipality_code = municipalities.municipality_code
)

select * from final

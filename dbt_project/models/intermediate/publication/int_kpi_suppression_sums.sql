{#- Every set of published cells of which any one follows from the others: where exactly one of a set is withheld,
    subtracting the published rest recovers it. One row per set (sum_id) and member cell (row_id):
    - geography: a region and its municipalities (dim_municipality), and a size class and its municipalities
      (int_municipality_size_classes), per KPI and period;
    - totals: every region together is every care form together, every provider together and every product
      category (JZ020) together, per KPI and period;
    - calendar: a half-year and its quarters, a year and its quarters, a year and its half-years, per KPI and scope,
      where the whole (the half-year or year) is published beside its parts;
    - referrers: a scope's allocations and its referrer shares (COD327), whose numerators add up to them.
    The sets are applied to every KPI with a count in it, also where the count is not strictly additive (distinct
    clients over quarters, a youth in two municipalities): there they over-protect, they never under-protect. -#}
with cells as (
    select row_id, kpi_id, scope_type, scope_code, period_type, period
    from {{ ref('int_kpi_suppression_cells') }}
),

-- Each municipality's wholes: its region and its size class.
municipality_wholes as (
    select municipality_code, 'region' as whole_type, region_code as whole_code
    from {{ ref('dim_municipality') }}
    where region_code is not null
    union all
    select municipality_code, 'size_class', size_class_code
    from {{ ref('int_municipality_size_classes') }}
),

geography as (
    select
        'geography|' || cells.kpi_id || '|' || coalesce(municipality_wholes.whole_type, cells.scope_type) || '|'
            || coalesce(municipality_wholes.whole_code, cells.scope_code) || '|' || cells.period as sum_id,
        cells.row_id,
        cells.scope_type <> 'municipality' as is_whole
    from cells
    left join municipality_wholes
        on cells.scope_type = 'municipality'
        and cells.scope_code = municipality_wholes.municipality_code
    where cells.scope_type in ('region', 'size_class')
        or (cells.scope_type = 'municipality' and municipality_wholes.whole_code is not null)
),

totals as (
    select
        breakdowns.breakdown || '|' || cells.kpi_id || '|' || cells.period as sum_id,
        cells.row_id,
        cells.scope_type = 'region' as is_whole
    from cells
    inner join (values ('care_form'), ('provider'), ('product_category')) as breakdowns (breakdown)
        on cells.scope_type in ('region', breakdowns.breakdown)
),

-- The wholes a period takes part in: a quarter is in its half-year and its year, a half-year in its year (and is
-- the whole of its own quarters), a year is the whole of its quarters and of its half-years.
calendar_wholes as (
    select 'quarter' as period_type, 'half' as whole
    union all
    select 'quarter', 'quarters'
    union all
    select 'half_year', 'own'
    union all
    select 'half_year', 'halves'
    union all
    select 'year', 'quarters'
    union all
    select 'year', 'halves'
),

calendar as (
    select
        'calendar|' || cells.kpi_id || '|' || cells.scope_type || '|' || cells.scope_code || '|'
            || case calendar_wholes.whole
                when 'half' then substr(cells.period, 1, 4) || '-H'
                    || case when substr(cells.period, 7, 1) in ('1', '2') then '1' else '2' end
                when 'own' then cells.period
                else substr(cells.period, 1, 4) || '/' || calendar_wholes.whole
            end as sum_id,
        cells.row_id,
        cells.period_type <> 'quarter' as is_whole
    from cells
    inner join calendar_wholes
        on cells.period_type = calendar_wholes.period_type
    where cells.scope_type <> 'nl'
),

referrers as (
    select
        'referrers|' || scope_type || '|' || scope_code || '|' || period as sum_id,
        row_id,
        kpi_id = 'allocations' as is_whole
    from cells
    where kpi_id = 'allocations' or substr(kpi_id, 1, 15) = 'referrer_share_'
),

candidates as (
    select sum_id, row_id, is_whole, 'geography' as relation from geography
    union all
    select sum_id, row_id, is_whole, 'totals' from totals
    union all
    select sum_id, row_id, is_whole, 'calendar' from calendar
    union all
    select sum_id, row_id, is_whole, 'referrers' from referrers
),

-- A set reveals a part only when its whole is published beside the parts; the totals need a part as well (every
-- region together against no care form is no sum). A referrer set is a sum whatever it holds.
complete as (
    select sum_id
    from candidates
    group by sum_id, relation
    having relation = 'referrers'
        or (max(case when is_whole then 1 else 0 end) = 1
            and (relation <> 'totals' or min(case when is_whole then 1 else 0 end) = 0))
),

final as (
    select candidates.sum_id, candidates.row_id
    from candidates
    inner join complete
        on candidates.sum_id = complete.sum_id
)

select * from final

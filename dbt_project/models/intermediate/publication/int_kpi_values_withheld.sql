{#- The kpi_values rows the publication withholds: the primary ones (macro suppressed_in_publication) and, until no
    sum of int_kpi_suppression_sums has exactly one withheld row, their complements. In every such sum the published
    row with the smallest non-zero count is withheld too (it costs the reader least; a zero partner would still give
    the withheld count away as the pair's sum), ties broken by key. A withheld count also withholds the rows that
    publish the same count in the same scope and period type, in its own period or a year later (the share built on
    clients_in_care, the growth rate a year later): the count a row keeps secret is its small count (primary) or the
    smallest count it was chosen by (complement); a published denominator such as a population is no secret.

    The fixpoint is unrolled into a fixed number of passes, each adding the complements of every sum the previous
    pass left with one withheld row; the test assert_suppression_converged fails the build if that was not enough.
    64 passes leave room above the deepest chain a generated national year needed (docs/benchmarks.md). Each pass
    works on sets, so the result is the same whatever order the rows come in. -#}
{%- set passes = 64 -%}
with cells as (
    select row_id, kpi_id, scope_type, scope_code, period_type, period, smallest_count, is_primary
    from {{ ref('int_kpi_suppression_cells') }}
),

sums as (
    select sum_id, row_id
    from {{ ref('int_kpi_suppression_sums') }}
),

counts as (
    {%- for figure in ['value', 'numerator', 'denominator'] %}
    select row_id, scope_type, scope_code, period_type, period, {{ figure }}_count as figure
    from {{ ref('int_kpi_suppression_cells') }}
    where {{ figure }}_count is not null
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

primary_secrets as (
    select scope_type, scope_code, period_type, period as counted_in, figure
    from counts
    where {{ small_count('figure') }}
),

withheld_0 as materialized (
    select row_id, 0 as pass from cells where is_primary
    union
    select row_id, 0 from ({{ same_count_cells('primary_secrets', 'counts') }}) as same_count
),
{%- for pass in range(1, passes + 1) %}

-- Pass {{ pass }}: every sum with exactly one withheld row, and its shown row with the smallest count.
lone_{{ pass }} as (
    select sums.sum_id
    from sums
    inner join withheld_{{ pass - 1 }} as withheld
        on sums.row_id = withheld.row_id
    group by sums.sum_id
    having count(*) = 1
),

complements_{{ pass }} as materialized (
    select ranked.row_id, ranked.scope_type, ranked.scope_code, ranked.period_type,
        ranked.period as counted_in, ranked.smallest_count as figure
    from (
        select
            cells.row_id,
            cells.scope_type,
            cells.scope_code,
            cells.period_type,
            cells.period,
            cells.smallest_count,
            row_number() over (
                partition by sums.sum_id order by cells.smallest_count <= 0, cells.smallest_count, cells.row_id
            ) as pick
        from sums
        inner join lone_{{ pass }} as lone
            on sums.sum_id = lone.sum_id
        inner join cells
            on sums.row_id = cells.row_id
        where sums.row_id not in (select earlier.row_id from withheld_{{ pass - 1 }} as earlier)
    ) as ranked
    where ranked.pick = 1
),

withheld_{{ pass }} as materialized (
    select row_id, pass from withheld_{{ pass - 1 }}
    union all
    select row_id, {{ pass }}
    from (
        select row_id from complements_{{ pass }}
        union
        select row_id from ({{ same_count_cells('complements_' ~ pass, 'counts') }}) as same_count
    ) as added
    where row_id not in (select earlier.row_id from withheld_{{ pass - 1 }} as earlier)
),
{%- endfor %}

final as (
    select
        cells.row_id,
        cells.kpi_id,
        cells.scope_type,
        cells.scope_code,
        cells.period_type,
        cells.period,
        cells.is_primary,
        cast(withheld.pass as integer) as withheld_in_pass
    from withheld_{{ passes }} as withheld
    inner join cells
        on withheld.row_id = cells.row_id
)

select * from final

{#- Per volume allocation and period, the allocated volume pro-rated over the period and the net volume declared
    on it: what realisation_share (int_kpi_realisation_compared) sums per scope and the audit tier traces.
    Allocated: the JW301 Omvang of each volume allocation (the latest JW301 record of a ToewijzingNummer; unit not 83
    euro) pro-rated over the days of its validity (Ingangsdatum to Einddatum) inside the period: per dag volume x days,
    per week volume x days / 7, per maand volume x days / days in that month, totaal binnen geldigheidsduur volume x
    days / days of the validity (none when it has no Einddatum). Declared: the net volume of the JW323 lines of the
    allocation (a credited debit counts 0) whose product period starts in the period, converted to the allocation's
    unit when both are time units (WJ756 minutes_per_unit), else only in the same unit. Budget allocations (euro) are
    left out: their realisation is money, not volume. -#}
with allocation_records as (
    select
        allocations.*,
        row_number() over (
            partition by allocations.municipality_code, allocations.allocation_number
            order by
                allocations.message_date desc, allocations.file_path desc, allocations.source_line desc,
                allocations.source_record desc, allocations.file_sha256 desc
        ) as newest_first
    from {{ ref('stg_ijw__allocations') }} as allocations
),

units as (
    select unit_code, minutes_per_unit from {{ ref('wj756_units') }}
),

allocations as (
    select
        allocation_records.municipality_code,
        dim_municipality.region_code,
        allocation_records.provider_agb,
        dim_product.care_form_code,
        cast(allocation_records.allocation_number as bigint) as allocation_number,
        allocation_records.valid_from,
        allocation_records.valid_to,
        cast(allocation_records.volume as double precision) as volume,
        allocation_records.unit_code,
        cast(allocation_records.frequency_code as integer) as frequency
    from allocation_records
    inner join {{ ref('dim_municipality') }} as dim_municipality
        on allocation_records.municipality_code = dim_municipality.municipality_code
    left join {{ ref('dim_product') }} as dim_product
        on allocation_records.product_code = dim_product.product_code
    where allocation_records.newest_first = 1
        and allocation_records.volume is not null
        and allocation_records.unit_code <> '83'
        and cast(allocation_records.frequency_code as integer) in (1, 2, 4, 6)
        and (cast(allocation_records.frequency_code as integer) <> 6 or allocation_records.valid_to is not null)
),

months as (
    select
        min(date_day) as first_day,
        max(date_day) as last_day,
        count(*) as days_in_month
    from {{ ref('dim_date') }}
    group by {{ month_index('date_day') }}
),

allocation_months as (
    select
        allocations.*,
        months.first_day as month_first_day,
        {{ dbt.datediff(
            'case when allocations.valid_from > months.first_day then allocations.valid_from else months.first_day end',
            'case when allocations.valid_to is not null and allocations.valid_to < months.last_day
                then allocations.valid_to else months.last_day end',
            'day') }} + 1 as overlap_days,
        months.days_in_month,
        {{ dbt.datediff('allocations.valid_from', 'allocations.valid_to', 'day') }} + 1 as validity_days
    from allocations
    inner join months
        on allocations.valid_from <= months.last_day
        and (allocations.valid_to is null or allocations.valid_to >= months.first_day)
),

allocated_by_month as (
    select
        municipality_code,
        allocation_number,
        month_first_day,
        -- Fixed-point from here on: decimals add up exactly in any order, where a sum of doubles changes in its
        -- last bits with the order a parallel scan gives (and the published value with it).
        cast(case frequency
            when 1 then volume * overlap_days
            when 2 then volume * overlap_days / 7.0
            when 4 then volume * overlap_days / days_in_month
            when 6 then volume * overlap_days / validity_days
        end as decimal(38, 12)) as allocated_volume
    from allocation_months
),

declared_lines as (
    select
        lines.municipality_code,
        cast(lines.allocation_number as bigint) as allocation_number,
        lines.period_start,
        cast(case
            when lines.unit_code = allocations.unit_code then 1.0 * lines.net_volume
            when declared_unit.minutes_per_unit is not null and allocated_unit.minutes_per_unit is not null
                then 1.0 * lines.net_volume * declared_unit.minutes_per_unit / allocated_unit.minutes_per_unit
        end as decimal(38, 12)) as declared_volume
    from {{ ref('int_declaration_lines_netted') }} as lines
    inner join allocations
        on lines.municipality_code = allocations.municipality_code
        and cast(lines.allocation_number as bigint) = allocations.allocation_number
    left join units as declared_unit
        on lines.unit_code = declared_unit.unit_code
    left join units as allocated_unit
        on allocations.unit_code = allocated_unit.unit_code
),

periods as (
    select period_type, period, first_day, last_day from {{ ref('int_kpi_periods') }}
),

{#- The allocated and the declared volume of each allocation per KPI period, from the month or line it falls in. -#}
{%- for summed, facts, day, volume in [
    ('allocated', 'allocated_by_month', 'month_first_day', 'allocated_volume'),
    ('declared', 'declared_lines', 'period_start', 'declared_volume'),
] %}
{{ summed }} as (
    select
        {{ facts }}.municipality_code,
        {{ facts }}.allocation_number,
        periods.period_type,
        periods.period,
        sum({{ facts }}.{{ volume }}) as {{ volume }}
    from {{ facts }}
    inner join periods
        on {{ facts }}.{{ day }} between periods.first_day and periods.last_day
    group by
        {{ facts }}.municipality_code,
        {{ facts }}.allocation_number,
        periods.period_type,
        periods.period
),
{% endfor %}
final as (
    select
        allocations.allocation_number,
        allocations.municipality_code,
        allocations.region_code,
        allocations.provider_agb,
        allocations.care_form_code,
        allocated.period_type,
        allocated.period,
        allocated.allocated_volume,
        coalesce(declared.declared_volume, 0) as declared_volume
    from allocated
    inner join allocations
        on allocated.municipality_code = allocations.municipality_code
        and allocated.allocation_number = allocations.allocation_number
    left join declared
        on allocated.municipality_code = declared.municipality_code
        and allocated.allocation_number = declared.allocation_number
        and allocated.period_type = declared.period_type
        and allocated.period = declared.period
)

select * from final

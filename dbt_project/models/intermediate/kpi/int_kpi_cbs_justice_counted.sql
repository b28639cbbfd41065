{#- Justice youths as CBS publishes them (85099NED measures JongerenMetJeugdbescherming_3 and
    JongerenMetJeugdreclassering_4; fct_cbs_indicator keeps the latest snapshot): youths with jeugdbescherming and with jeugdreclassering per municipality, jeugdzorgregio (CBS's own
    region figure) and NL, per year, and each as a share of the youth CBS relates it to on 1 January: jeugdbescherming,
    which ends at 18, over the youth 0-17; jeugdreclassering, for youths of 12-22, over the youth 12-22. A region's
    youth is the sum over its municipalities that the region seed or a landed CBS Gebieden table names (a reference
    list of an older year still names merged municipalities); a region with one of them lacking the year's population
    gets no share. -#}
with indicators as (
    select
        scope_type,
        scope_code,
        period,
        max(case when indicator = 'JongerenMetJeugdbescherming_3' then value end) as jeugdbescherming,
        max(case when indicator = 'JongerenMetJeugdreclassering_4' then value end) as jeugdreclassering
    from {{ ref('fct_cbs_indicator') }}
    where period_type = 'year'
        and indicator in ('JongerenMetJeugdbescherming_3', 'JongerenMetJeugdreclassering_4')
        and scope_type in ('municipality', 'region', 'nl')
    group by scope_type, scope_code, period
),

region_municipalities as (
    {{ cbs_region_municipalities() }}
),

population as (
    select municipality_code, cast(year as varchar) as period, youth_0_17, youth_12_22
    from {{ ref('fct_population') }}
),

region_years as (
    select distinct period from population
),

-- Each band apart: a municipality lacking one band's ages still has the other.
youth as (
    {%- for band in ['0_17', '12_22'] %}
    {%- if not loop.first %}
    union all
    {%- endif %}
    select '{{ band }}' as band, 'municipality' as scope_type, municipality_code as scope_code, period,
        youth_{{ band }} as youth
    from population
    where youth_{{ band }} is not null
    union all
    select '{{ band }}', 'region', region_municipalities.region_code, region_years.period,
        sum(population.youth_{{ band }})
    from region_municipalities
    cross join region_years
    left join population
        on region_municipalities.municipality_code = population.municipality_code
        and region_years.period = population.period
    group by region_municipalities.region_code, region_years.period
    having count(population.youth_{{ band }}) = count(*)
    {%- endfor %}
),

final as (
    select 'jeugdbescherming_youth_cbs' as kpi_id, scope_type, scope_code, 'year' as period_type, period,
        jeugdbescherming as numerator,
        cast(null as double precision) as denominator,
        jeugdbescherming as value
    from indicators
    where jeugdbescherming is not null
    union all
    select 'jeugdreclassering_youth_cbs', scope_type, scope_code, 'year', period, jeugdreclassering, null,
        jeugdreclassering
    from indicators
    where jeugdreclassering is not null
    {%- for kpi_id, youths, band in [
        ('jeugdbescherming_share_cbs', 'jeugdbescherming', '0_17'),
        ('jeugdreclassering_share_cbs', 'jeugdreclassering', '12_22'),
    ] %}
    union all
    select '{{ kpi_id }}', indicators.scope_type, indicators.scope_code, 'year', indicators.period,
        indicators.{{ youths }}, youth.youth, 100.0 * indicators.{{ youths }} / youth.youth
    from indicators
    inner join youth
        on indicators.scope_type = youth.scope_type
        and indicators.scope_code = youth.scope_code
        and indicators.period = youth.period
        and youth.band = '{{ band }}'
    where indicators.{{ youths }} is not null
        and youth.youth > 0
    {%- endfor %}
)

select * from final

{#- The national (nl) rows: the warehouse carries no national iJw traffic, so NL values are CBS figures as
    published (fct_cbs_indicator, scope NL01, yearly), mapped onto the catalogue's definitions. 85099NED counts youths
    with jeugdhulp (the share over the youth 0-22, the band of youth_in_care_share); 85097NED counts ended trajectories in natura, Verwijzer
    T001040 being the total over referrers. kpi_catalogue.nl_source names the figure per KPI. -#}
with indicators as (
    select indicator, category, period, value
    from {{ ref('fct_cbs_indicator') }}
    where scope_type = 'nl'
        and period_type = 'year'
        and (category = '' or category is null or category = 'Verwijzer=T001040')
),

pivoted as (
    select
        period,
        max(case when indicator = 'JongerenMetJeugdhulp_2' then value end) as youths_in_care,
        max(case when indicator = 'JongerenMetJeugdhulpRelatief_5' then value end) as youth_share,
        max(case when indicator = 'BeeindigdeJeugdhulptrajecten_1' then value end) as ended,
        max(case when indicator = 'BeeindigdVolgensPlan_3' then value end) as according_to_plan,
        max(case when indicator = 'GemiddeldeDuurBeeindigdeTrajecten_2' then value end) as mean_duration_days
    from indicators
    group by period
),

final as (
    select 'youth_in_care_share' as kpi_id, period, youths_in_care as numerator,
        cast(null as double precision) as denominator, youth_share as value
    from pivoted
    where youth_share is not null
    union all
    select 'clients_in_care', period, youths_in_care, null, youths_in_care
    from pivoted
    where youths_in_care is not null
    union all
    select 'trajectories_ended', period, ended, null, ended
    from pivoted
    where ended is not null
    union all
    select 'ended_according_to_plan_share', period, according_to_plan, ended, 100.0 * according_to_plan / ended
    from pivoted
    where ended > 0 and according_to_plan is not null
    union all
    select 'mean_duration_days_ended', period, null, ended, mean_duration_days
    from pivoted
    where mean_duration_days is not null
)

select
    kpi_id,
    'nl' as scope_type,
    'NL01' as scope_code,
    'year' as period_type,
    period,
    numerator,
    denominator,
    value
from final

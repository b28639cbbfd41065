{#- Level KPIs over merged trajectories (CBS rule) per scope and period: youths and trajectories in care, inflow
    and outflow, the setting of stays, and the age-bound KPIs. A trajectory is active in a period when it starts on
    or before the period's last day and is open or ends on or after its first day. Ages come from the birth year
    only, so they are ages reached in the period's calendar year; the youths 0-22 on 1 January (CBS's band for
    jeugdhulp, the youth of 03759ned that youth_in_care_share divides by) are those born in the 23 years before the
    period's year. Jeugdhulp KPIs count jeugdhulp care forms only
    (dim_care_form.cbs_care_domain); jeugdbescherming and jeugdreclassering youths are counted apart (CBS publishes
    them apart and a youth may have both).

    A national year gives 17.5 million active rows to group into 14.6 million (scope, period, youth) rows. They are
    grouped on numbers, not on the 64-character pseudonyms and the period labels, which halves the model's time under
    the memory limit (docs/benchmarks.md). The sums are cast back to bigint: a sum of counts is a
    hugeint in DuckDB and a numeric in PostgreSQL. -#}
{%- set stay_shares = [] %}
{%- for kpi_id, _care_forms in stay_share_kpis() %}
{%- do stay_shares.append((kpi_id, kpi_id ~ '_stays', 'stays', '100.0')) %}
{%- endfor %}
with trajectories as (
    select
        trajectory_id, client_key, municipality_code, region_code, provider_agb, care_form_code, start_date, end_date,
        cbs_care_domain, birth_year,
        dense_rank() over (order by client_key) as client_number
    from {{ ref('int_kpi_trajectories_described') }}
),

scoped as (
    {{ kpi_scopes('trajectories', [
        'trajectory_id', 'client_number', 'care_form_code', 'cbs_care_domain', 'start_date', 'end_date', 'birth_year'
    ]) }}
),

periods as (
    select *, row_number() over (order by period_type, period) as period_number from {{ ref('int_kpi_periods') }}
),

active as (
    select
        scoped.scope_type,
        scoped.scope_code,
        periods.period_number,
        scoped.client_number,
        scoped.care_form_code,
        scoped.cbs_care_domain = 'jeugdhulp' as is_jeugdhulp,
        scoped.cbs_care_domain,
        periods.period_year - scoped.birth_year as age_in_year
    from scoped
    {{ kpi_active_periods_join('scoped') }}
),

-- One row per youth first: one grouping instead of a distinct count per KPI.
active_clients as (
    select
        scope_type,
        scope_code,
        period_number,
        client_number,
        count(case when is_jeugdhulp then 1 end) as trajectories,
        bool_or(is_jeugdhulp) as in_jeugdhulp,
        bool_or(is_jeugdhulp and age_in_year between 1 and 23) as in_jeugdhulp_0_22,
        bool_or(cbs_care_domain = 'jeugdbescherming') as in_jeugdbescherming,
        bool_or(cbs_care_domain = 'jeugdreclassering') as in_jeugdreclassering,
        {%- for kpi_id, care_forms in stay_share_kpis() %}
        count(case when care_form_code in {{ care_forms }} then 1 end) as {{ kpi_id }}_stays,
        {%- endfor %}
        count(case when care_form_code in {{ stay_care_forms() }} then 1 end) as stays,
        bool_or(care_form_code in ('13', '14') and age_in_year < 12) as residential_under_12,
        bool_or(care_form_code = '13') as closed_placement,
        bool_or(is_jeugdhulp and age_in_year = 18) as turning_18,
        bool_or(is_jeugdhulp and age_in_year >= 19) as past_18
    from active
    group by scope_type, scope_code, period_number, client_number
),

numbered_active_counts as (
    select
        scope_type,
        scope_code,
        period_number,
        count(case when in_jeugdhulp then client_number end) as clients,
        count(case when in_jeugdhulp_0_22 then client_number end) as clients_0_22,
        count(case when in_jeugdbescherming then client_number end) as jeugdbescherming_clients,
        count(case when in_jeugdreclassering then client_number end) as jeugdreclassering_clients,
        cast(sum(trajectories) as bigint) as trajectories,
        {%- for kpi_id, care_forms in stay_share_kpis() %}
        cast(sum({{ kpi_id }}_stays) as bigint) as {{ kpi_id }}_stays,
        {%- endfor %}
        cast(sum(stays) as bigint) as stays,
        count(case when residential_under_12 then client_number end) as residential_under_12,
        count(case when closed_placement then client_number end) as closed_placements,
        count(case when turning_18 then client_number end) as turning_18,
        count(case when past_18 then client_number end) as past_18
    from active_clients
    group by scope_type, scope_code, period_number
),

active_counts as (
    select
        counts.scope_type,
        counts.scope_code,
        periods.period_type,
        periods.period,
        counts.clients,
        counts.clients_0_22,
        counts.jeugdbescherming_clients,
        counts.jeugdreclassering_clients,
        counts.trajectories,
        {%- for kpi_id, care_forms in stay_share_kpis() %}
        counts.{{ kpi_id }}_stays,
        {%- endfor %}
        counts.stays,
        counts.residential_under_12,
        counts.closed_placements,
        counts.turning_18,
        counts.past_18
    from numbered_active_counts as counts
    inner join periods on counts.period_number = periods.period_number
),

jeugdhulp_active_counts as (
    select * from active_counts where clients > 0
),

-- Justice youths per municipality and region with care in the period (zero included), as CBS publishes them.
justice_active_counts as (
    select * from active_counts where scope_type in ('municipality', 'region', 'size_class')
),

{%- for events, day in [('started', 'start_date'), ('ended', 'end_date')] %}

{{ events }} as (
    select scoped.scope_type, scoped.scope_code, periods.period_type, periods.period, count(*) as trajectories
    from scoped
    {{ kpi_periods_join('scoped', day) }}
    where scoped.cbs_care_domain = 'jeugdhulp'
    group by scoped.scope_type, scoped.scope_code, periods.period_type, periods.period
),
{%- endfor %}

final as (
    {{ kpi_level_rows('jeugdhulp_active_counts', [
        ('clients_in_care', 'clients'),
        ('trajectories_active', 'trajectories'),
        ('residential_under_12', 'residential_under_12'),
        ('closed_placements', 'closed_placements'),
        ('turning_18_in_care', 'turning_18'),
        ('care_past_18', 'past_18'),
        ('clients_in_care_0_22', 'clients_0_22'),
    ]) }}
    union all
    -- The family setting and its two parts, each over the same stays (Rijk van Nijmegen steers on them apart).
    {{ kpi_ratio_rows('jeugdhulp_active_counts', stay_shares) }}
    union all
    {{ kpi_level_rows('justice_active_counts', [
        ('jeugdbescherming_clients', 'jeugdbescherming_clients'),
        ('jeugdreclassering_clients', 'jeugdreclassering_clients'),
    ]) }}
    union all
    {{ kpi_level_rows('started', [('trajectories_started', 'trajectories')]) }}
    union all
    {{ kpi_level_rows('ended', [('trajectories_ended', 'trajectories')]) }}
)

select * from final

{#- The agenda of the quarterly "duiden" session, per region (provider_agb null) and per provider within a region,
    ranked: red signals, budget breaches, cap warnings, amber signals; signals by severity, breaches by expected
    overrun, cap warnings by forecast share of the cap (docs/steering.md). Each item has a Dutch summary naming the
    largest drivers or amounts and the question to discuss. A region's agenda holds its own and its municipalities'
    signals, the budget breaches of its municipalities (budget_forecast, boundary_status 'breach') and the cap warnings
    of the providers delivering in it (provider_revenue_forecast, early_warning). A provider's agenda in a region
    holds the region's and its municipalities' signals the provider is among the three largest provider drivers of
    (with a positive share), the provider's own signals, and its cap warning, in every region it delivers in that
    quarter. -#}
with signals as (
    select
        steering_signals.*,
        case steering_signals.status when 'red' then 'red_signal' else 'amber_signal' end as item_type,
        case steering_signals.status when 'red' then 1 else 4 end as status_order,
        lower(steering_signals.name_nl) as name_lower,
        case steering_signals.scope_type
            when 'region' then case
                when lower(dim_region.region_name) like 'regio%' then dim_region.region_name
                else 'regio ' || coalesce(dim_region.region_name, steering_signals.scope_code)
            end
            when
                'municipality'
                then 'gemeente ' || coalesce(dim_municipality.municipality_name, steering_signals.scope_code)
            when 'provider' then 'aanbieder ' || coalesce(dim_provider.provider_name, steering_signals.scope_code)
            when 'care_form' then 'hulpvorm ' || coalesce(dim_care_form.care_form_name_nl, steering_signals.scope_code)
            else steering_signals.scope_code
        end as scope_label
    from {{ ref('steering_signals') }} as steering_signals
    left join {{ ref('dim_region') }} as dim_region
        on steering_signals.scope_type = 'region'
        and steering_signals.scope_code = dim_region.region_code
    {{ scope_name_joins('steering_signals.scope_type', 'steering_signals.scope_code') }}
    where steering_signals.status in ('red', 'amber')
),

described as (
    select
        signals.*,
        signals.name_nl || ' in ' || signals.scope_label || ', ' || signals.period || ': '
            || {{ decimal_nl('signals.value') }}
            || ' (doel ' || {{ decimal_nl('signals.target') }}
            || ', band ' || {{ decimal_nl('signals.band_low') }}
            || ' tot ' || {{ decimal_nl('signals.band_high') }} || '), '
            || case signals.status when 'red' then 'rood' else 'oranje' end
            || case signals.trend
                when 'worsening' then ', verslechtert'
                when 'improving' then ', verbetert'
                when 'stable' then ', stabiel'
                else ''
            end
            || '.' as signal_text,
        case
            when signals.trend = 'worsening'
                then case signals.direction when 'lower_is_better' then 'stijgt ' else 'daalt ' end
                || signals.name_lower || ' in ' || signals.scope_label
            else 'ligt ' || signals.name_lower || ' in ' || signals.scope_label
                || case signals.direction when 'lower_is_better' then ' boven' else ' onder' end || ' het doel'
        end as question_core
    from signals
),

region_items as (
    select
        region_code,
        cast(null as varchar) as provider_agb,
        period,
        item_type,
        status_order,
        severity,
        kpi_id,
        scope_type,
        scope_code,
        signal_text
            || case when drivers is not null then ' Grootste bijdragen: ' || drivers || '.' else '' end as summary_nl,
        'Waarom ' || question_core || ', en wat spreken we af?' as question_nl
    from described
    where region_code is not null
),

provider_drivers as (
    select
        steering_drivers.kpi_id,
        steering_drivers.scope_type,
        steering_drivers.scope_code,
        steering_drivers.period,
        steering_drivers.driver_code as provider_agb,
        coalesce(dim_provider.provider_name, steering_drivers.driver_code) as provider_name,
        steering_drivers.share,
        {{ contribution_nl('steering_drivers.contribution', 'dim_kpi.unit') }} as contribution_text
    from {{ ref('steering_drivers') }} as steering_drivers
    inner join {{ ref('dim_kpi') }} as dim_kpi on steering_drivers.kpi_id = dim_kpi.kpi_id
    left join {{ ref('dim_provider') }} as dim_provider on steering_drivers.driver_code = dim_provider.provider_agb
    where steering_drivers.driver_type = 'provider'
        and steering_drivers.driver_rank <= 3
        and steering_drivers.share > 0
),

provider_driver_items as (
    select
        described.region_code,
        provider_drivers.provider_agb,
        described.period,
        described.item_type,
        described.status_order,
        described.severity * provider_drivers.share as severity,
        described.kpi_id,
        described.scope_type,
        described.scope_code,
        described.signal_text || ' Bijdrage van aanbieder ' || provider_drivers.provider_name
            || ' aan de afwijking: ' || provider_drivers.contribution_text || '.' as summary_nl,
        'Waarom draagt aanbieder ' || provider_drivers.provider_name || ' '
            || provider_drivers.contribution_text
            || ' bij aan de afwijking van '
            || described.name_lower || ' in ' || described.scope_label || ', en wat spreken we af?' as question_nl
    from described
    inner join provider_drivers
        on {{ same_kpi_scope_period('described', 'provider_drivers') }}
    where described.region_code is not null
),

provider_regions as (
    select distinct
        {{ dbt.split_part('kpi.scope_code', "'|'", 2) }} as provider_agb,
        dim_municipality.region_code,
        kpi.period
    from {{ ref('int_kpi_values_unioned') }} as kpi
    inner join {{ ref('dim_municipality') }} as dim_municipality
        on {{ dbt.split_part('kpi.scope_code', "'|'", 1) }} = dim_municipality.municipality_code
    where kpi.scope_type = 'municipality_provider'
        and kpi.period_type = 'quarter'
        and kpi.kpi_id = 'trajectories_active'
),

provider_own_items as (
    select
        provider_regions.region_code,
        described.scope_code as provider_agb,
        described.period,
        described.item_type,
        described.status_order,
        described.severity,
        described.kpi_id,
        described.scope_type,
        described.scope_code,
        described.signal_text
            || case when described.drivers is not null
                then ' Grootste bijdragen (hulpvormen): ' || described.drivers || '.' else '' end as summary_nl,
        'Waarom ' || described.question_core || ', en wat spreken we af?' as question_nl
    from described
    inner join provider_regions
        on described.scope_code = provider_regions.provider_agb
        and described.period = provider_regions.period
    where described.scope_type = 'provider'
),

budget_breach_items as (
    select
        budget_forecast.region_code,
        cast(null as varchar) as provider_agb,
        budget_forecast.as_of_period as period,
        'budget_breach' as item_type,
        2 as status_order,
        cast(budget_forecast.expected_overrun_cents as double precision) / 100 as severity,
        cast(null as varchar) as kpi_id,
        'municipality' as scope_type,
        budget_forecast.municipality_code as scope_code,
        'Budget perceel ' || budget_forecast.perceel || ' in gemeente '
            || coalesce(dim_municipality.municipality_name, budget_forecast.municipality_code) || ', '
            || cast(budget_forecast.year as varchar) || ' (stand ' || budget_forecast.as_of_period || '): prognose EUR '
            || {{ decimal_nl('budget_forecast.forecast_year_end_cents / 100.0') }}
            || ' tegen budget EUR ' || {{ decimal_nl('budget_forecast.budget_cents / 100.0') }}
            || ', verwachte overschrijding EUR '
            || {{ decimal_nl('budget_forecast.expected_overrun_cents / 100.0') }} || '.'
            as summary_nl,
        'Hoe dekken of voorkomen we de verwachte overschrijding op perceel ' || budget_forecast.perceel
            || ' in gemeente ' || coalesce(dim_municipality.municipality_name, budget_forecast.municipality_code)
            || ', en welke aanbieders en hulpvormen drijven haar?' as question_nl
    from {{ ref('budget_forecast') }} as budget_forecast
    left join {{ ref('dim_municipality') }} as dim_municipality
        on budget_forecast.municipality_code = dim_municipality.municipality_code
    where budget_forecast.boundary_status = 'breach'
),

cap_warnings as (
    select
        provider_regions.region_code,
        provider_revenue_forecast.provider_agb,
        provider_revenue_forecast.as_of_period as period,
        provider_revenue_forecast.forecast_share_of_cap as severity,
        'Omzetplafond aanbieder ' || coalesce(dim_provider.provider_name, provider_revenue_forecast.provider_agb)
            || ', '
            || cast(provider_revenue_forecast.year as varchar) || ' (stand '
            || provider_revenue_forecast.as_of_period || '): prognose EUR '
            || {{ decimal_nl('provider_revenue_forecast.forecast_year_end_cents / 100.0') }}
            || ' tegen plafond EUR '
            || {{ decimal_nl('provider_revenue_forecast.cap_cents / 100.0') }} || ' ('
            || cast(cast({{ rounded('provider_revenue_forecast.forecast_share_of_cap * 100') }} as integer) as varchar)
            || '%).' as summary_nl,
        'Wat doet aanbieder ' || coalesce(dim_provider.provider_name, provider_revenue_forecast.provider_agb)
            || ' als het omzetplafond bereikt is, en hoe borgen we de zorg voor lopende en nieuwe clienten?'
            as question_nl
    from {{ ref('provider_revenue_forecast') }} as provider_revenue_forecast
    inner join provider_regions
        on provider_revenue_forecast.provider_agb = provider_regions.provider_agb
        and provider_revenue_forecast.as_of_period = provider_regions.period
    left join {{ ref('dim_provider') }} as dim_provider
        on provider_revenue_forecast.provider_agb = dim_provider.provider_agb
    where provider_revenue_forecast.early_warning
),

cap_warning_items as (
    {%- for agenda_provider in ['cast(null as varchar)', 'provider_agb'] %}
    select
        region_code,
        {{ agenda_provider }} as provider_agb,
        period,
        'cap_warning' as item_type,
        3 as status_order,
        severity,
        cast(null as varchar) as kpi_id,
        'provider' as scope_type,
        provider_agb as scope_code,
        summary_nl,
        question_nl
    from cap_warnings
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

items as (
    select * from region_items
    union all
    select * from provider_driver_items
    union all
    select * from provider_own_items
    union all
    select * from budget_breach_items
    union all
    select * from cap_warning_items
),

final as (
    select
        region_code,
        provider_agb,
        period,
        -- Severity rounded, so equal ones are ordered by key, not by float noise; the summary tells two budget lines
        -- (perceel, year) of one municipality apart.
        cast(row_number() over (
            partition by region_code, provider_agb, period
            order by
                status_order asc,
                {{ rounded('severity', 9) }} desc,
                kpi_id,
                scope_type asc,
                scope_code asc,
                summary_nl asc
        ) as integer) as item_rank,
        item_type,
        kpi_id,
        scope_type,
        scope_code,
        summary_nl,
        question_nl,
        cast(severity as double precision) as severity
    from items
)

select * from final

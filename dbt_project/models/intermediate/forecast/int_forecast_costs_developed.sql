{#- Net declared cents per municipality, provider, perceel, service month (ProductPeriode Begindatum) and
    declaration file, with the file's date (DeclaratieDagtekening): how a month's cost is declared over time. A credit
    counts on its own file's date, so a correction moves the month's cost when it is declared. -#}
with lines as (
    select
        fct_declaration_line.municipality_code,
        fct_declaration_line.provider_agb,
        fct_declaration_line.product_category,
        dim_product.cbs_care_form_code,
        dim_product.care_form_domain,
        fct_declaration_line.period_start,
        fct_declaration_line.declaration_date,
        fct_declaration_line.file_sha256,
        fct_declaration_line.amount_cents
    from {{ ref('fct_declaration_line') }} as fct_declaration_line
    left join {{ ref('dim_product') }} as dim_product
        on fct_declaration_line.product_code = dim_product.product_code
),

by_category as (
    select code, perceel from {{ ref('perceel_mapping') }} where match_type = 'product_category'
),

by_care_form as (
    select code, perceel from {{ ref('perceel_mapping') }} where match_type = 'care_form'
),

municipalities as (
    select municipality_code, region_code from {{ ref('dim_municipality') }}
),

mapped as (
    select
        lines.municipality_code,
        municipalities.region_code,
        lines.provider_agb,
        coalesce(
            by_category.perceel,
            case when lines.care_form_domain = 'jeugdhulp' then by_care_form.perceel end,
            'Overig'
        ) as perceel,
        {{ month_index('lines.period_start') }} as service_month_index,
        {{ month_index('lines.declaration_date') }} as declaration_month_index,
        lines.declaration_date,
        lines.file_sha256,
        lines.amount_cents
    from lines
    inner join municipalities
        on lines.municipality_code = municipalities.municipality_code
    left join by_category
        on lines.product_category = by_category.code
    left join by_care_form
        on lines.cbs_care_form_code = by_care_form.code
),

final as (
    select
        municipality_code,
        region_code,
        provider_agb,
        perceel,
        service_month_index,
        declaration_month_index,
        declaration_date,
        file_sha256,
        sum(amount_cents) as net_cents
    from mapped
    group by
        municipality_code, region_code, provider_agb, perceel, service_month_index, declaration_month_index,
        declaration_date, file_sha256
)

select * from final

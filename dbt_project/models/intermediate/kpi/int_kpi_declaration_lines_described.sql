{#- Declaration lines (fct_declaration_line) with what the cost KPIs and the audit tier's trace select and scope them
    by: the line's key (provider AGB|ReferentieNummer), the municipality's region, the product's care form, the
    product category (JZ020) the line declares, and whether it is jeugdhulp (a line whose product has no care form
    counts as jeugdhulp). Read by int_kpi_costs_summed, int_kpi_product_categories_counted and the audit tier's
    contribution views. -#}
with declaration_lines as (
    select
        fct_declaration_line.provider_agb || '|' || fct_declaration_line.reference_number as line_key,
        fct_declaration_line.municipality_code,
        dim_municipality.region_code,
        fct_declaration_line.provider_agb,
        dim_product.care_form_code,
        fct_declaration_line.product_category,
        coalesce(dim_care_form.cbs_care_domain, 'jeugdhulp') = 'jeugdhulp' as is_jeugdhulp,
        fct_declaration_line.period_start,
        fct_declaration_line.declaration_date,
        fct_declaration_line.amount_cents
    from {{ ref('fct_declaration_line') }} as fct_declaration_line
    inner join {{ ref('dim_municipality') }} as dim_municipality
        on fct_declaration_line.municipality_code = dim_municipality.municipality_code
    left join {{ ref('dim_product') }} as dim_product
        on fct_declaration_line.product_code = dim_product.product_code
    left join {{ ref('dim_care_form') }} as dim_care_form
        on dim_product.care_form_code = dim_care_form.care_form_code
),

final as (
    select
        line_key, municipality_code, region_code, provider_agb, care_form_code, product_category, is_jeugdhulp,
        period_start, declaration_date, amount_cents
    from declaration_lines
)

select * from final

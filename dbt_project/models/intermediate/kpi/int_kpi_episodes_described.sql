{#- The jeugdhulp care episodes (int_care_episodes_applied: one started allocation and product) with a product
    category (iJw JZ020): what the product-category family counts clients on and what the audit tier's trace lists
    for them. Justice care forms are left out, as in clients_in_care at every other scope. Read by
    int_kpi_product_categories_counted and audit_kpi_product_category_contributions. -#}
with episodes as (
    select
        episodes.allocation_number,
        episodes.client_key,
        episodes.municipality_code,
        episodes.product_category,
        episodes.start_date,
        episodes.end_date
    from {{ ref('int_care_episodes_applied') }} as episodes
    inner join {{ ref('dim_care_form') }} as dim_care_form
        on episodes.care_form_code = dim_care_form.care_form_code
    where dim_care_form.cbs_care_domain = 'jeugdhulp'
        and episodes.product_category is not null
),

final as (
    select allocation_number, client_key, municipality_code, product_category, start_date, end_date
    from episodes
)

select * from final

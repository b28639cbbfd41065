with products as (
    select * from {{ ref('product_codes') }}
),

categories as (
    select * from {{ ref('jz020_product_categories') }}
),

final as (
    select
        products.product_code,
        products.product_name_nl,
        products.product_category_code,
        categories.product_category_name_nl,
        products.delivery_variant,
        products.care_form_code,
        products.care_form_name_nl,
        products.care_form_domain
    from products
    left join categories
        on products.product_category_code = categories.product_category_code
)

select * from final

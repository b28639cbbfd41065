{#- care_form_code is unique across domains: the CBS care-form dimension reuses codes (11 is pleegzorg in jeugdhulp
    but ondertoezichtstelling in jeugdbescherming), so justice codes carry a J prefix (J11). -#}
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
        case
            when products.care_form_domain = 'justitieel' then 'J' || products.care_form_code
            else products.care_form_code
        end as care_form_code,
        products.care_form_code as cbs_care_form_code,
        products.care_form_name_nl,
        products.care_form_domain
    from products
    left join categories
        on products.product_category_code = categories.product_category_code
)

select * from final

{#- The national product code list Jeugdwet and the region's own codes (seed region_product_codes, which the reader
    accepts as well). care_form_code is unique across domains: the CBS care-form dimension reuses codes (11 is
    pleegzorg in jeugdhulp but ondertoezichtstelling in jeugdbescherming), so justice codes carry a J prefix (J11). A
    region's code takes the care-form name the national list gives its care form. -#}
with national_products as (
    select * from {{ ref('product_codes') }}
),

region_products as (
    select * from {{ ref('region_product_codes') }}
),

care_form_names as (
    select care_form_code, care_form_domain, min(care_form_name_nl) as care_form_name_nl
    from national_products
    where care_form_code is not null
    group by care_form_code, care_form_domain
),

products as (
    select
        product_code,
        product_name_nl,
        product_category_code,
        delivery_variant,
        care_form_code,
        care_form_name_nl,
        care_form_domain,
        'national' as code_list,
        cast(null as date) as valid_from,
        cast(null as date) as valid_to
    from national_products
    union all
    select
        region_products.product_code,
        region_products.product_name_nl,
        region_products.product_category_code,
        cast(null as varchar) as delivery_variant,
        region_products.care_form_code,
        care_form_names.care_form_name_nl,
        region_products.care_form_domain,
        'region' as code_list,
        region_products.valid_from,
        region_products.valid_to
    from region_products
    left join care_form_names
        on region_products.care_form_code = care_form_names.care_form_code
        and region_products.care_form_domain = care_form_names.care_form_domain
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
        products.care_form_domain,
        products.code_list,
        products.valid_from,
        products.valid_to
    from products
    left join categories
        on products.product_category_code = categories.product_category_code
)

select * from final

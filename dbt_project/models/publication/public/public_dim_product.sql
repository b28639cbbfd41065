{#- The iJw product codes with their care form, for dashboards that label products. -#}
select
    product_code, product_name_nl, product_category_code, product_category_name_nl, delivery_variant,
    care_form_code, cbs_care_form_code, care_form_name_nl, care_form_domain, code_list, valid_from, valid_to
from {{ ref('dim_product') }}

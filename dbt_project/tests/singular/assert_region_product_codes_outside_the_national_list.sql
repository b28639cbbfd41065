{{ config(meta={'dagster': {'ref': {'name': 'region_product_codes'}}}) }}
{#- A region's own product code must not be a code of the national list: the same code would then mean two products
    (dim_product's key would fail too, but this names the seed row to fix). -#}
select region_product_codes.product_code
from {{ ref('region_product_codes') }} as region_product_codes
inner join {{ ref('product_codes') }} as product_codes
    on region_product_codes.product_code = product_codes.product_code

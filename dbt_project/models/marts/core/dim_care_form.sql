{#- One row per care form. The product code list names a care form on every product and in one case names code 02
    differently; the name most products use wins. -#}
with products as (
    select * from {{ ref('dim_product') }}
),

names as (
    select
        care_form_code,
        cbs_care_form_code,
        care_form_name_nl,
        care_form_domain,
        row_number() over (
            partition by care_form_code
            order by count(*) desc, care_form_name_nl asc, cbs_care_form_code asc, care_form_domain asc
        ) as name_rank
    from products
    where care_form_code is not null
    group by care_form_code, cbs_care_form_code, care_form_name_nl, care_form_domain
),

final as (
    select
        care_form_code,
        cbs_care_form_code,
        care_form_name_nl,
        care_form_domain,
        case
            when care_form_name_nl like 'Met verblijf%' then 'met verblijf'
            when care_form_name_nl like 'Zonder verblijf%' then 'zonder verblijf'
        end as setting
    from names
    where name_rank = 1
)

select * from final

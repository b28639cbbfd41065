{#- One row per care form. The product code list names a care form on every product and in one case names code 02
    differently; the name most products use wins. cbs_care_domain says which CBS statistic counts the care form: the
    justice codes follow the Beleidsinformatie Jeugd protocol's types (5.1.1 kinderbeschermingsmaatregel 1x-2x,
    5.4 preventief justitieel kader 31, 5.2.1 jeugdreclassering 4x-6x), so they never count as jeugdhulp. -#}
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
        end as setting,
        case
            when care_form_domain <> 'justitieel' then 'jeugdhulp'
            when substr(cbs_care_form_code, 1, 1) in ('1', '2') then 'jeugdbescherming'
            when cbs_care_form_code = '31' then 'preventief justitieel kader'
            else 'jeugdreclassering'
        end as cbs_care_domain
    from names
    where name_rank = 1
)

select * from final

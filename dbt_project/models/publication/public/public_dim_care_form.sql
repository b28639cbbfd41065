{#- The care forms (hulpvormen), a dimension of the published KPI values and cost variance. -#}
select
    care_form_code, cbs_care_form_code, care_form_name_nl, care_form_domain, setting
from {{ ref('dim_care_form') }}

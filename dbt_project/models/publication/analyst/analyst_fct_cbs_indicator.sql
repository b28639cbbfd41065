{#- The CBS youth-care indicators, as CBS publishes them (already disclosure-controlled by CBS). -#}
select
    table_id, scope_type, scope_code, period_type, period, indicator, indicator_title, category, value, unit,
    status, file_sha256
from {{ ref('fct_cbs_indicator') }}

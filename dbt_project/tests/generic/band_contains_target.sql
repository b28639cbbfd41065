{#- Fails for every signal row whose tolerance band does not contain its target: a region override that moves the
    target outside the catalogue's band (or its own) makes the status rules meaningless. -#}
{% test band_contains_target(model) %}
select kpi_id, scope_type, scope_code, period, band_low, target, band_high
from {{ model }}
where not (band_low <= target and target <= band_high)
{% endtest %}

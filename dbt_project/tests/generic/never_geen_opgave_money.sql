{#- Fails for every amount that is CBS's 'geen opgave' marker (-99998) turned into money: as is, as euros in cents,
    or as thousands of euros in cents (unit_cents). -#}
{% test never_geen_opgave_money(model, column_name, unit_cents) %}
select {{ column_name }}
from {{ model }}
where {{ column_name }} in (
    cast(-99998 as bigint),
    cast(-99998 as bigint) * 100,
    cast(-99998 as bigint) * {{ unit_cents }}
)
{% endtest %}

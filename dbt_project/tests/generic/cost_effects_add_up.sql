{#- Fails for every cost_variance row whose effects do not add up to the change in integer cents, exactly. -#}
{% test cost_effects_add_up(model) %}
select *
from {{ model }}
where volume_effect_cents + mix_effect_cents + intensity_effect_cents + price_effect_cents <> change_cents
    or intensity_trajectories_effect_cents + intensity_units_effect_cents <> intensity_effect_cents
    or cost_to_cents - cost_from_cents <> change_cents
{% endtest %}

{#- The cost change per region and care form split into volume, mix, intensity and price (cents). -#}
select
    region_code, care_form_code, period_type, period_from, period_to, cost_from_cents, cost_to_cents,
    change_cents, volume_effect_cents, mix_effect_cents, intensity_effect_cents,
    intensity_trajectories_effect_cents, intensity_units_effect_cents, price_effect_cents
from {{ ref('cost_variance') }}

{#- The key of a pair of consecutive cuts of a quarter and region (close_cut_pairs), as close_changes and
    close_change_deliveries give it on each row so the two join on it. -#}
{% macro close_cut_pair(cut_pairs) -%}
        {{ cut_pairs }}.quarter,
        {{ cut_pairs }}.region_code,
        {{ cut_pairs }}.from_cut,
        {{ cut_pairs }}.to_cut,
        {{ cut_pairs }}.from_run_id,
        {{ cut_pairs }}.to_run_id
{%- endmacro %}

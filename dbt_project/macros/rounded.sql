{#- A number rounded half away from zero to `digits` decimals, the same on every target. A double rounds differently
    on each: PostgreSQL has no round(double precision, digits), rounds a double half to even and casts it to numeric
    from its 15 significant digits, where DuckDB rounds half away from zero from the exact binary value (2.5 gives 2
    on one and 3 on the other; 12.34565 as decimal(18, 4) 12.3457 and 12.3456). As a decimal with nine decimals
    first, it rounds alike on both. Use it wherever a double is rounded, cast to a decimal or ranked. -#}
{% macro rounded(expression, digits=0) -%}
    round(cast({{ expression }} as decimal(38, 9)), {{ digits }})
{%- endmacro %}

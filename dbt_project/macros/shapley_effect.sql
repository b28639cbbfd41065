{#- The Shapley effect of one factor on the change of a product of factors between two periods: the change of that
    factor, times the product of the other factors, averaged over every order in which the factors can change
    (each other factor at its 'from' or 'to' value, weighted |S|! (n-1-|S|)! / n! by how many of them have changed).
    The effects of all factors add up exactly to product(to) - product(from), whatever the values (zeros and
    negative values included), which is why cost_variance uses it rather than a log-mean index.
    `factors` are column name stems: stem_from and stem_to must exist. -#}
{% macro shapley_effect(factors, factor) -%}
    {%- set others = factors | reject('equalto', factor) | list -%}
    {%- set n = factors | length -%}
    {%- set terms = [] -%}
    {%- for mask in range(2 ** (others | length)) -%}
        {%- set chosen = [] -%}
        {%- set product = [] -%}
        {%- for other in others -%}
            {%- if (mask // (2 ** loop.index0)) % 2 == 1 -%}
                {%- do chosen.append(other) -%}
                {%- do product.append(other ~ '_to') -%}
            {%- else -%}
                {%- do product.append(other ~ '_from') -%}
            {%- endif -%}
        {%- endfor -%}
        {%- set weight = (factorial(chosen | length) | int) * (factorial(n - 1 - (chosen | length)) | int) -%}
        {%- do terms.append(weight ~ ' * ' ~ product | join(' * ')) -%}
    {%- endfor -%}
    (({{ terms | join('\n        + ') }}) / {{ factorial(n) }}.0) * ({{ factor }}_to - {{ factor }}_from)
{%- endmacro %}

{% macro factorial(k) -%}
    {%- set result = namespace(value=1) -%}
    {%- for i in range(1, k + 1) -%}
        {%- set result.value = result.value * i -%}
    {%- endfor -%}
    {{- result.value -}}
{%- endmacro %}

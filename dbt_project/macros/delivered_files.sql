{#- Incremental models keyed by the delivered file (fct_declaration_line and the tiers' copies of it): a file's lines
    never change once loaded (the raw tables are append-only and a file_sha256 is loaded once), so a build adds the
    lines of the files the table does not hold yet and keeps the rest. docs/architecture.md says when to rebuild. -#}

{#- full_refresh for such a model: always in a quarterly close (var data_cut), whose scratch tables are rebuilt at
    another cut that can take lines away as well as add them; elsewhere none, so dbt's --full-refresh decides (the dbt
    steps pass it when the project or dbt's version changed since their last build: defs/dbt/build_state.py). -#}
{% macro rebuilt_at_a_data_cut() -%}
    {{ return(true if var('data_cut', none) is not none else none) }}
{%- endmacro %}

{#- The condition on `alias` (a relation with file_sha256) that keeps the files the incremental model does not hold
    yet; nothing on a full build. -#}
{% macro files_not_built(alias) -%}
    {%- if is_incremental() %}
    where not exists (select 1 from {{ this }} as built where built.file_sha256 = {{ alias }}.file_sha256)
    {%- endif %}
{%- endmacro %}

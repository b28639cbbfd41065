"""Who answers for each asset, as the Dagster UI shows it: the data engineers for what is loaded, modelled and
published, the region's controllers for the KPIs, signals, forecasts and the report they present. Teams, not people,
so a change of staff changes no code. dbt models take theirs from `meta.dagster.owners` (dbt_project.yml), with
DATA_ENGINEERING as the translator's default."""

DATA_ENGINEERING = "team:data-engineering"
CONTROL = "team:control"

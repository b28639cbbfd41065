"""The quarterly close: one quarter x region frozen as it stood at its data cut (docs/operations.md).

A close runs the dbt project with the var `data_cut` into its own DuckDB file
(WAREHOUSE_DIR/closes/quarterly_closes.duckdb), so the live warehouse and the published marts are never touched, then
appends its KPI values, signals, the deliveries it saw and its report's rows to the history in that file and writes
its report page. Nothing here imports Dagster.
"""

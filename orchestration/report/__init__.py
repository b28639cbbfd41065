"""The quarterly report per region: a self-contained HTML file and an XLSX workbook of the KPI table.

Plain library (no Dagster): `data` reads the marts of one region and quarter from a DuckDB file opened read-only,
`charts` writes the charts as inline SVG, `html` and `workbook` render, `build` writes every report.
"""

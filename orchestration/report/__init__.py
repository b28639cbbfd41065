"""The quarterly report per region: a self-contained HTML file and an XLSX workbook of the KPI table.

Plain library (no Dagster): `data` reads one quarter's rows of the dbt report layer (schema `report`, where every
figure, label and order is computed) from the warehouse opened read-only, `charts` writes the charts as inline SVG,
`html` and `workbook` render, `build` writes every report.
"""

"""Hand-written marts for the publication models: tables typed as the marts' YAML declares them, so the public tier's
enforced contracts hold, filled with only the columns a test names (the rest null), then the suppression and the
public steering models built by dbt (tests/steering_dbt.build_models)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import duckdb
import yaml

from orchestration.settings import DBT_PROJECT_DIR
from tests.steering_dbt import SIZE_CLASS_COLUMNS, build_models, write_tables

SUPPRESSION_MODELS = [
    "int_kpi_suppression_cells",
    "int_kpi_suppression_sums",
    "int_kpi_values_withheld",
    "assert_suppression_converged",
    "public_kpi_values",
]
STEERING_MODELS = ["public_steering_drivers", "public_steering_signals", "public_dialogue_agenda"]
CATALOGUE_COLUMNS = ("kpi_id", "unit", "numerator_kind", "denominator_kind")


def mart_columns() -> dict[str, list[tuple[str, str]]]:
    """Every mart's (column, data_type), from the marts' YAML."""
    columns = {}
    for path in sorted((DBT_PROJECT_DIR / "models" / "marts").rglob("_*.yml")):
        for model in yaml.safe_load(path.read_text(encoding="utf-8"))["models"]:
            columns[model["name"]] = [(column["name"], column["data_type"]) for column in model["columns"]]
    return columns


def write_marts(db: Path, tables: Mapping[str, Iterable[Mapping[str, object]]]) -> None:
    """marts.<table> for each table, typed as its mart, with the given rows (a dict per row)."""
    typed = mart_columns()
    with duckdb.connect(str(db)) as con:
        con.execute("create schema if not exists marts")
        for table, rows in tables.items():
            columns = typed[table]
            con.execute(f"create table marts.{table} ({', '.join(f'{name} {kind}' for name, kind in columns)})")
            values = [[row.get(name) for name, _ in columns] for row in rows]
            if values:
                con.executemany(f"insert into marts.{table} values ({', '.join('?' * len(columns))})", values)


def kpi_row(kpi_id, unit, value, numerator, denominator, scope_type, scope_code, period_type, period) -> dict:
    return {
        "kpi_id": kpi_id,
        "unit": unit,
        "value": value,
        "numerator": numerator,
        "denominator": denominator,
        "scope_type": scope_type,
        "scope_code": scope_code,
        "period_type": period_type,
        "period": period,
        "suppressed": False,
    }


def build_suppression(
    db: Path, kpi_rows, catalogue, municipalities, others=None, models=SUPPRESSION_MODELS, size_classes=()
) -> None:
    """Write kpi_values, dim_kpi (catalogue: kpi_id, unit, numerator_kind, denominator_kind), dim_municipality
    ((code, region) pairs), the municipalities' size classes ((code, class) pairs) and any other marts, then dbt build
    the models (and their tests)."""
    write_tables(db, {"intermediate.int_municipality_size_classes": (SIZE_CLASS_COLUMNS, size_classes)})
    write_marts(
        db,
        {
            "kpi_values": kpi_rows,
            "dim_kpi": [dict(zip(CATALOGUE_COLUMNS, entry, strict=True)) for entry in catalogue],
            "dim_municipality": [{"municipality_code": code, "region_code": region} for code, region in municipalities],
            **(others or {}),
        },
    )
    build_models(db, [" ".join(models)], {"suppression_threshold": 10})

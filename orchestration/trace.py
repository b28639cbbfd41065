"""Trace one KPI value to the messages behind it (issue 23):

    python -m orchestration.trace KPI_ID --scope-type municipality --scope GM0268 --period 2024-Q3 [--csv out.csv]

Prints the value's numerator and denominator (marts.kpi_values), the totals its traced fact rows make beside them
(audit_tier.kpi_trace_totals), and every fact row with the files and lines it came from (audit_tier.kpi_trace_lines);
a national (nl) value lists the CBS rows it was taken from (audit_tier.kpi_national_sources). Every figure comes from
a dbt model read by name with a where clause: this module selects, prints and writes CSV, nothing else.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from orchestration.settings import Settings

VALUE_COLUMNS = "kpi_id, scope_type, scope_code, period_type, period, value, numerator, denominator, unit, suppressed"
TOTAL_COLUMNS = "role, measure, fact_rows, traced_value, published_value"
LINE_COLUMNS = (
    "role, fact_table, fact_key, counting_key, measure, amount, message_type, record_id, file_path, file_sha256, "
    "source_line, source_record"
)
NATIONAL_COLUMNS = "nl_source, table_id, period, indicator, category, value, status, file_sha256"


@dataclass(frozen=True)
class Rows:
    columns: list[str]
    rows: list[tuple[Any, ...]]

    def dicts(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


@dataclass(frozen=True)
class Trace:
    value: dict[str, Any] | None
    totals: Rows
    lines: Rows
    national: Rows


def _select(con: duckdb.DuckDBPyConnection, query: str, parameters: list[Any]) -> Rows:
    cursor = con.execute(query, parameters)
    return Rows([column[0] for column in cursor.description], cursor.fetchall())


def trace(con: duckdb.DuckDBPyConnection, kpi_id: str, scope_type: str, scope_code: str, period: str) -> Trace:
    """The KPI value and what is behind it; value None when kpi_values has no such value."""
    key = [kpi_id, scope_type, scope_code, period]
    where = "where kpi_id = ? and scope_type = ? and scope_code = ? and period = ?"
    values = _select(con, f"select {VALUE_COLUMNS} from marts.kpi_values {where}", key).dicts()  # noqa: S608
    totals = _select(
        con,
        f"select {TOTAL_COLUMNS} from audit_tier.kpi_trace_totals {where} order by role desc",  # noqa: S608
        key,
    )
    lines = _select(
        con,
        f"select {LINE_COLUMNS} from audit_tier.kpi_trace_lines {where} "  # noqa: S608
        "order by role desc, fact_table, fact_key, file_path, source_record",
        key,
    )
    national = _select(
        con,
        f"select {NATIONAL_COLUMNS} from audit_tier.kpi_national_sources "  # noqa: S608
        "where kpi_id = ? and period = ? and ? = 'nl' order by table_id, indicator, category",
        [kpi_id, period, scope_type],
    )
    return Trace(values[0] if values else None, totals, lines, national)


def _plain(number: Any) -> str:
    """A number as its digits without trailing decimal zeros (the decimals dbt keeps for exact sums)."""
    if isinstance(number, Decimal):
        text = f"{number:f}"
        return text.rstrip("0").rstrip(".") if "." in text else text
    return "-" if number is None else str(number)


def render(result: Trace) -> list[str]:
    """The trace as text lines: the value, numerator and denominator with their traced totals, then each fact row
    and its source records."""
    value = result.value
    if value is None:
        return ["No such value in marts.kpi_values (check the KPI id, scope type, scope code and period)."]
    out = [
        f"{value['kpi_id']}  {value['scope_type']} {value['scope_code']}  {value['period_type']} {value['period']}",
        f"  value {value['value']} {value['unit']}  (withheld from publication: {bool(value['suppressed'])})",
    ]
    totals = {total["role"]: total for total in result.totals.dicts()}
    for role in ("numerator", "denominator"):
        published = value[role]
        total = totals.get(role)
        traced = (
            f"traced: {_plain(total['traced_value'])} = {total['measure']} over {total['fact_rows']} fact rows"
            if total
            else "traced: no fact rows"
        )
        out.append(f"  {role:<11} {_plain(published)}  {traced}")
    if result.national.rows:
        out.append("  CBS figures (audit_tier.kpi_national_sources):")
        out += [
            f"    {row['table_id']} {row['period']} {row['indicator']} {row['category'] or ''} = {row['value']} "
            f"({row['status']}, file {row['file_sha256']})"
            for row in result.national.dicts()
        ]
    fact = None
    for line in result.lines.dicts():
        if (line["role"], line["fact_table"], line["fact_key"]) != fact:
            fact = (line["role"], line["fact_table"], line["fact_key"])
            part = f"amount {_plain(line['amount'])}" if line["measure"] == "sum" else f"counts {line['counting_key']}"
            out.append(f"{line['role']}: {line['fact_table']} {line['fact_key']}  {part}")
        if line["message_type"] is not None:
            out.append(
                f"    {line['message_type']} {line['record_id']}  {line['file_path']} line {line['source_line']} "
                f"(record {line['source_record']}, sha256 {line['file_sha256']})"
            )
    return out


def write_csv(result: Trace, path: Path) -> None:
    """The trace lines as CSV (comma separated, UTF-8 with a BOM so Excel reads the accents), one row per fact row
    and source record, headed by the value's key."""
    key = [result.value[column] for column in ("kpi_id", "scope_type", "scope_code", "period_type", "period")]
    with path.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow(["kpi_id", "scope_type", "scope_code", "period_type", "period", *result.lines.columns])
        writer.writerows([*key, *row] for row in result.lines.rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m orchestration.trace", description=__doc__.splitlines()[0])
    parser.add_argument("kpi_id", help="a kpi_id of seeds/reference/kpi_catalogue.csv")
    parser.add_argument(
        "--scope-type", required=True, help="nl, region, municipality, provider, care_form or product_category"
    )
    parser.add_argument(
        "--scope", required=True, help="the scope code: GM0268, JZ32, an AGB code, a care form code, a product category"
    )
    parser.add_argument("--period", required=True, help="2024-Q3, 2024-H2 or 2024")
    parser.add_argument("--csv", type=Path, help="also write the trace lines to this CSV file")
    parser.add_argument("--warehouse", type=Path, help="the DuckDB warehouse (default: WAREHOUSE_DIR's)")
    args = parser.parse_args(argv)
    path = args.warehouse or Settings.from_env().duckdb_path
    with duckdb.connect(str(path), read_only=True) as con:
        result = trace(con, args.kpi_id, args.scope_type, args.scope, args.period)
    print("\n".join(render(result)))
    if result.value is None:
        return 1
    if args.csv:
        write_csv(result, args.csv)
        print(f"\nWrote {len(result.lines.rows)} trace lines to {args.csv}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

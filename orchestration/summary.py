"""The summary `make run` prints, in English like the rest of the console: what was ingested and quarantined, the KPI
table, and where the results are (the warehouse, the published file, the Data Docs, the reports and the UI).

Every figure printed comes from a dbt model (report.rpt_run_summary, report.rpt_quarantine_reasons,
marts.kpi_values), read by name; numbers are formatted by orchestration/formats.py.
"""

from pathlib import Path

import duckdb

from orchestration.docs_server import DATA_DOCS_ROUTE
from orchestration.formats import euros_nl, money_nl
from orchestration.settings import Settings
from orchestration.warehouse.publish import PUBLISHED_FILENAME


def print_summary() -> None:
    settings = Settings.from_env()
    with duckdb.connect(str(settings.duckdb_path), read_only=True) as con:
        tables = set(con.execute("select table_schema, table_name from information_schema.tables").fetchall())
        built = {name for schema, name in tables if schema == "report"}
        if not {"rpt_run_summary", "rpt_quarantine_reasons"} <= built:
            print(f"\nNo summary: the report models are not built in {settings.duckdb_path} (see the run's checks).")
            return
        cursor = con.execute("select * from report.rpt_run_summary")
        run = dict(zip([column[0] for column in cursor.description], cursor.fetchone(), strict=True))
        reasons = con.execute(
            "select reason_code, records from report.rpt_quarantine_reasons order by reason_code"
        ).fetchall()
        reused = _reused_build(con) if ("build_state", "dbt_steps") in tables else None
        kpis = con.execute(
            """
            select scope_type, scope_code, period, value
            from marts.kpi_values
            where kpi_id = 'net_declared_cost'
                and period_type = 'quarter'
                and scope_type in ('municipality', 'region')
            order by scope_type desc, scope_code, period
            """
        ).fetchall()
    print()
    print("Ingest (all runs, audit.ingest_ledger)")
    print(
        f"  files: {run['files_loaded']} loaded, {run['files_rejected']} rejected, "
        f"{run['files_duplicate']} duplicate deliveries skipped"
    )
    print(
        f"  JW323 declaration lines: {run['jw323_records_accepted']} accepted "
        f"({euros_nl(run['jw323_cents_accepted'], decimals=2)}), {run['jw323_records_quarantined']} quarantined "
        f"({euros_nl(run['jw323_cents_quarantined'], decimals=2)})"
    )
    for reason_code, count in reasons:
        print(f"    quarantined {reason_code}: {count}")
    print(
        f"  CBS and budgets: {run['cbs_indicator_rows']} CBS indicator rows, {run['population_rows']} population rows, "
        f"{run['budget_rows']} budget lines ({run['budget_rows_without_amount']} without an amount)"
    )
    print()
    print("Net declared cost per quarter (marts.kpi_values, kpi_id net_declared_cost)")
    print(f"  {'scope':<13}{'code':<8}{'period':<9}{'amount':>18}")
    for scope_type, scope_code, period, value in kpis:
        print(f"  {scope_type:<13}{scope_code:<8}{period:<9}{money_nl(value, 2):>18}")
    print(f"  all KPIs: {run['kpis']} KPIs in {run['kpi_rows']} rows (every scope and period; docs/kpis.md)")
    print()
    if reused:
        run_id, built_at, reused_at = reused
        # The dbt steps found nothing new (orchestration/defs/dbt/build_state.py) and ran no dbt.
        print(
            f"Nothing new for dbt at {reused_at}: the marts, the published file and the reports are those of run "
            f"{run_id} ({built_at})"
        )
    print(f"Warehouse: {settings.duckdb_path}")
    published = settings.published_dir / PUBLISHED_FILENAME
    print(f"Published: {published if published.exists() else 'nothing (publishing waits for every blocking check)'}")
    data_docs = settings.data_docs_dir / "index.html"
    if data_docs.exists():
        print(f"Data Docs: {settings.docs_url}/{DATA_DOCS_ROUTE}/index.html while make ui runs; files in {data_docs}")
    else:
        print(f"Data Docs: none written in {settings.data_docs_dir}")
    _print_reports(settings.reports_dir)
    print(f"UI:        make ui, then open http://127.0.0.1:3000 (Data Docs and dbt docs on {settings.docs_url})")


def _reused_build(con: duckdb.DuckDBPyConnection) -> tuple[str, str, str] | None:
    """(run id, built at, reused at) when the latest dbt steps found nothing new and kept an earlier run's build
    (orchestration/defs/dbt/build_state.py)."""
    return con.execute(
        """
        select any_value(run_id), max(built_at)::varchar, max(reused_at)::varchar
        from build_state.dbt_steps
        where reused_at > built_at
        having count(*) > 0
        """
    ).fetchone()


def _print_reports(reports_dir: Path) -> None:
    """Where the quarterly reports are: the latest quarter's page per region, the count of all and of the provider
    editions."""
    pages = sorted(reports_dir.glob("*/*.html"))
    if not pages:
        print(f"Reports:   none written in {reports_dir} (docs/report.md)")
        return
    print(f"Reports:   {len(pages)} quarterly reports (HTML + XLSX) in {reports_dir}; latest per region:")
    latest: dict[str, Path] = {}
    for page in pages:
        latest[page.parent.name] = page
    for page in latest.values():
        print(f"           {page}")
    editions = len(list(reports_dir.glob("*/*/providers/*.html")))
    print(f"           and {editions} provider editions in <region>/<quarter>/providers/<agb>.html (+ .xlsx)")


if __name__ == "__main__":
    print_summary()

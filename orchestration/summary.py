"""The summary `make run` prints: what was ingested and quarantined, the KPI table, where the reports are."""

from pathlib import Path

import duckdb

from orchestration.settings import Settings


def _euros(cents: int | None) -> str:
    return f"EUR {(cents or 0) / 100:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")


def print_summary() -> None:
    settings = Settings.from_env()
    with duckdb.connect(str(settings.duckdb_path), read_only=True) as con:
        files = dict(con.execute("select status, count(*) from audit.ingest_ledger group by status").fetchall())
        totals = con.execute(
            """
            select sum(records_accepted), sum(records_quarantined), sum(amount_cents_accepted),
                   sum(amount_cents_quarantined)
            from audit.ingest_ledger
            where message_type = 'JW323' or message_type is null
            """
        ).fetchone()
        reasons = con.execute(
            "select reason_code, count(*) from audit.quarantine where record_ref is not null group by 1 order by 1"
        ).fetchall()
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
        kpi_counts = con.execute("select count(distinct kpi_id), count(*) from marts.kpi_values").fetchone()
        marts = {row[0] for row in con.execute("select table_name from information_schema.tables").fetchall()}
        cbs_budget = (
            con.execute(
                """
                select (select count(*) from marts.fct_cbs_indicator), (select count(*) from marts.fct_population),
                       (select count(*) from marts.fct_budget), (select count(*) from marts.fct_budget
                                                                  where amount_cents is null)
                """
            ).fetchone()
            if {"fct_cbs_indicator", "fct_population", "fct_budget"} <= marts
            else None
        )
    accepted, quarantined, cents_accepted, cents_quarantined = totals
    print()
    print("Ingest (all runs, audit.ingest_ledger)")
    print(
        f"  files: {files.get('loaded', 0)} loaded, {files.get('rejected', 0)} rejected, "
        f"{files.get('duplicate', 0)} duplicate deliveries skipped"
    )
    print(
        f"  JW323 declaration lines: {accepted or 0} accepted ({_euros(cents_accepted)}), "
        f"{quarantined or 0} quarantined ({_euros(cents_quarantined)})"
    )
    for reason_code, count in reasons:
        print(f"    quarantined {reason_code}: {count}")
    if cbs_budget:
        indicators, population, budget, no_figure = cbs_budget
        print(
            f"  CBS en begrotingen: {indicators} CBS-indicatoren, {population} bevolkingsrijen, "
            f"{budget} begrotingsregels ({no_figure} zonder bedrag)"
        )
    print()
    print("Netto gedeclareerde kosten per kwartaal (marts.kpi_values, kpi_id net_declared_cost)")
    print(f"  {'scope':<13}{'code':<8}{'periode':<9}{'bedrag':>18}")
    for scope_type, scope_code, period, value in kpis:
        print(f"  {scope_type:<13}{scope_code:<8}{period:<9}{_euros(round(value * 100)):>18}")
    print(f"  all KPIs: {kpi_counts[0]} KPIs in {kpi_counts[1]} rows (every scope and period; docs/kpis.md)")
    print()
    print(f"Warehouse: {settings.duckdb_path}")
    _print_reports(settings.reports_dir)
    print("UI:        make ui, then open http://127.0.0.1:3000")


def _print_reports(reports_dir: Path) -> None:
    """Where the quarterly reports are: the latest quarter's page per region, the count of all."""
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


if __name__ == "__main__":
    print_summary()

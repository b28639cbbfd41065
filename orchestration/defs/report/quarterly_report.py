"""The quarterly report per region (HTML and XLSX) under WAREHOUSE_DIR/reports/<region>/<quarter>.{html,xlsx}, and
its provider editions under WAREHOUSE_DIR/reports/<region>/<quarter>/providers/<agb>.{html,xlsx}."""

import dagster as dg

from orchestration.defs.owners import CONTROL
from orchestration.defs.publish.published_marts import published_marts, refuse_after_failed_checks
from orchestration.defs.resources import WRITER_POOL, WarehouseResource
from orchestration.report.build import write_provider_editions, write_reports
from orchestration.report.data import REPORT_MODELS


@dg.asset(
    key=dg.AssetKey(["report", "quarterly_report"]),
    # The report reads only the dbt report layer (dbt_project/models/report). It is a publication, so it also waits
    # for the publish step and, like it, refuses to write after a failed blocking check.
    deps=[published_marts, *(dg.AssetKey(["report", model]) for model in REPORT_MODELS)],
    group_name="report",
    owners=[CONTROL],
    # The report only reads, but a DuckDB file being written by another run cannot be opened at all.
    pool=WRITER_POOL,
    kinds={"html", "excel"},
    description=(
        "The quarterly steering report per region for each of the latest four quarters with data: a self-contained "
        "HTML page (signals, trends, budget forecast, cost-variance waterfall, referrals, dialogue agenda) and an "
        "XLSX workbook of the KPI table, in WAREHOUSE_DIR/reports/<region>/<quarter>.html and .xlsx; and per provider "
        "with revenue in the region's quarter a provider edition showing only its own rows beside the region's "
        "aggregates, in WAREHOUSE_DIR/reports/<region>/<quarter>/providers/<agb>.html and .xlsx."
    ),
)
def quarterly_report(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    # dbt tests on the marts do not stop a Python asset downstream (see published_marts): a failed check must leave
    # the previous reports in place.
    refuse_after_failed_checks(context, "no new report")
    settings = warehouse.settings()
    # Each report names the run that wrote it, so a reader can find its run (and its checks) in Dagster.
    reports = write_reports(settings.duckdb_path, settings.reports_dir, run_id=context.run_id)
    editions = write_provider_editions(settings.duckdb_path, settings.reports_dir, run_id=context.run_id)
    latest = max((report.quarter for report in reports), default=None)
    red_latest = {report.region_code: report.red_signals for report in reports if report.quarter == latest}
    context.log.info(
        f"wrote {len(reports)} quarterly reports and {len(editions)} provider editions under {settings.reports_dir}"
    )
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(settings.reports_dir)),
            "reports": len(reports),
            "regions": len({report.region_code for report in reports}),
            "provider_editions": len(editions),
            "quarters": dg.MetadataValue.json(sorted({report.quarter for report in reports})),
            "latest_quarter": latest or "",
            "red_signals_latest_quarter": dg.MetadataValue.json(red_latest),
            "red_signals_all_quarters": sum(report.red_signals for report in reports),
            "files": dg.MetadataValue.md(
                "\n".join(f"- `{report.html_path}` (+ `.xlsx`)" for report in reports) or "none"
            ),
        }
    )

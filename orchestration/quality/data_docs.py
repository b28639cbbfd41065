"""The checks' validations as Great Expectations Data Docs pages, and one index of every validation rendered.

Each check renders its validation's page with GX's site builder, but not GX's index page: that builder reads back every
validation result the site ever stored and renders the index again, for every check. On a tiny world's 35 checks a
check cost 0.42 s with the index and 0.16-0.20 s without, and the index's share grows with every run the warehouse
keeps. The checks instead append a line each to validations.jsonl, and index.html is written from it: every validation,
newest first, with its outcome and a link to its page.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2

from orchestration.quality.suites import SuiteFile, failures_of, gx_context

if TYPE_CHECKING:
    from great_expectations.core.expectation_validation_result import ExpectationSuiteValidationResult

INDEX = "index.html"
VALIDATIONS = "validations.jsonl"


@dataclass(frozen=True)
class RenderedValidation:
    """One line of validations.jsonl: a validation and where its page is."""

    validated_at: str
    """ISO 8601, UTC."""
    run: str
    table: str
    passed: bool
    expectations: int
    failed_expectations: int
    rows_validated: int
    page: str
    """Relative to the Data Docs directory."""


_docs_sites: dict[Path, str] = {}
"""One Data Docs site per warehouse directory this process validated (tests use several)."""


def write_data_docs(
    result: ExpectationSuiteValidationResult, suite_file: SuiteFile, docs_dir: Path, run: str, rows_validated: int
) -> Path:
    """Render result's page into the static Data Docs site in docs_dir and list it in the site's index; the page."""
    # Imported here, as in suites.py: a module that imports this one need not pay for GX.
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    context = gx_context()
    site_name = _docs_sites.setdefault(docs_dir.resolve(), f"warehouse_{len(_docs_sites)}")
    if site_name not in context.variables.data_docs_sites:
        context.add_data_docs_site(
            site_name=site_name,
            site_config={
                "class_name": "SiteBuilder",
                "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(docs_dir)},
            },
        )
    validated_at = dt.datetime.now(dt.UTC)
    identifier = ValidationResultIdentifier(
        ExpectationSuiteIdentifier(name=suite_file.table),
        RunIdentifier(run_name=run, run_time=validated_at),
        "whole_table",
    )
    context.validation_results_store.set(identifier, result)
    context.build_data_docs(site_names=[site_name], resource_identifiers=[identifier], build_index=False)
    (site,) = context.get_docs_sites_urls(resource_identifier=identifier, site_name=site_name)
    page = Path(urllib.request.url2pathname(urllib.parse.urlparse(site["site_url"]).path))
    _add_to_index(
        docs_dir,
        RenderedValidation(
            validated_at=validated_at.isoformat(timespec="seconds"),
            run=run,
            table=suite_file.table,
            passed=bool(result.success),
            expectations=len(suite_file.expectations),
            failed_expectations=len(failures_of(result)),
            rows_validated=rows_validated,
            page=page.relative_to(docs_dir.resolve()).as_posix(),
        ),
    )
    return page


def rendered_validations(docs_dir: Path) -> list[RenderedValidation]:
    """Every validation listed in docs_dir's index, newest first (the lines are appended as the checks run)."""
    lines = (docs_dir / VALIDATIONS).read_text(encoding="utf-8").splitlines()
    return [RenderedValidation(**json.loads(line)) for line in reversed(lines) if line]


def _add_to_index(docs_dir: Path, validation: RenderedValidation) -> None:
    with (docs_dir / VALIDATIONS).open("a", encoding="utf-8") as lines:
        lines.write(json.dumps(dataclasses.asdict(validation)) + "\n")
    written = docs_dir / f".{INDEX}.{os.getpid()}"
    written.write_text(_INDEX_TEMPLATE.render(validations=rendered_validations(docs_dir)), encoding="utf-8")
    written.replace(docs_dir / INDEX)


_INDEX_TEMPLATE = jinja2.Environment(autoescape=True).from_string(
    """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Data Docs: Great Expectations validations</title>
<style>
body { font-family: sans-serif; margin: 2em; }
table { border-collapse: collapse; }
th, td { border-bottom: 1px solid #ccc; padding: 0.3em 0.8em; text-align: left; }
td.number { text-align: right; }
.failed { color: #b00020; font-weight: bold; }
</style></head>
<body>
<h1>Great Expectations validations</h1>
<p>Every validation a blocking check rendered, newest first. Values that look like a BSN are redacted on the pages.</p>
<table>
<thead><tr><th>Validated (UTC)</th><th>Run</th><th>Table</th><th>Outcome</th><th>Expectations failed</th>
<th>Rows validated</th><th>Page</th></tr></thead>
<tbody>
{% for v in validations %}<tr>
<td>{{ v.validated_at }}</td><td>{{ v.run }}</td><td>{{ v.table }}</td>
<td{% if not v.passed %} class="failed"{% endif %}>{{ "passed" if v.passed else "failed" }}</td>
<td class="number">{{ v.failed_expectations }} of {{ v.expectations }}</td>
<td class="number">{{ v.rows_validated }}</td>
<td><a href="{{ v.page }}">validation</a></td>
</tr>
{% endfor %}</tbody>
</table>
</body>
</html>
"""
)

"""The checks' Data Docs: one page per validation, and an index of every validation, newest first."""

import re
from pathlib import Path

import pandas as pd

from orchestration.quality.data_docs import rendered_validations, write_data_docs
from orchestration.quality.suites import SuiteFile, run_suite

SUITE = SuiteFile(
    path=Path("marts.tiny.json"),
    table="marts.tiny",
    expectations=(
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "a"}},
        {"type": "expect_column_values_to_be_between", "kwargs": {"column": "a", "min_value": 0, "max_value": 9}},
    ),
)


def test_each_validation_gets_its_page_and_a_row_in_the_index_newest_first(tmp_path):
    docs_dir = tmp_path / "data_docs"
    passing = run_suite(pd.DataFrame({"a": [1, 2, 3]}), SUITE)
    failing = run_suite(pd.DataFrame({"a": [1, None, 12]}), SUITE)

    first = write_data_docs(passing, SUITE, docs_dir, "run-1", 3)
    second = write_data_docs(failing, SUITE, docs_dir, "run-2", 3)

    for page, run in ((first, "run-1"), (second, "run-2")):
        assert page.is_file() and page.is_relative_to(docs_dir.resolve() / "validations" / "marts" / "tiny" / run)
    index = (docs_dir / "index.html").read_text(encoding="utf-8")
    rows = re.findall(r"<tr>\s*<td>.*?</tr>", index, flags=re.S)
    assert len(rows) == 2
    newest, oldest = rows
    assert "run-2" in newest and 'class="failed">failed<' in newest and "2 of 2" in newest
    assert "run-1" in oldest and ">passed<" in oldest and "0 of 2" in oldest
    for row, page in ((newest, second), (oldest, first)):
        (link,) = re.findall(r'href="([^"]+)"', row)
        assert (docs_dir / link).resolve() == page.resolve()
    assert [validation.run for validation in rendered_validations(docs_dir)] == ["run-2", "run-1"]

    # Another warehouse's site lists only its own validations.
    other = tmp_path / "other_docs"
    write_data_docs(passing, SUITE, other, "run-3", 3)
    assert [validation.run for validation in rendered_validations(other)] == ["run-3"]

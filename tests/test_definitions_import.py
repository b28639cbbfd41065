"""Loading the Dagster definitions imports no Great Expectations (issue 22 item 3): `dg launch` loads them before every
run, and a run whose checks all report a remembered result validates nothing, so GX is imported only where a suite is
validated (orchestration/quality/suites.py)."""

import subprocess
import sys

from orchestration.settings import REPO_ROOT

LOAD = "import sys; from orchestration.definitions import defs; defs(); print('great_expectations' in sys.modules)"


def test_loading_the_definitions_imports_no_great_expectations(definitions):
    loaded = subprocess.run([sys.executable, "-c", LOAD], capture_output=True, text=True, check=True, cwd=REPO_ROOT)
    assert loaded.stdout.splitlines()[-1] == "False"


def test_validating_a_suite_imports_great_expectations():
    """The same probe sees GX once a validation has run, so the test above can fail."""
    probe = (
        "import sys, pandas as pd; from pathlib import Path; from orchestration.quality.suites import SuiteFile, "
        "validate; suite = SuiteFile(Path('t.json'), 'raw.t', ({'type': 'expect_column_to_exist', 'kwargs': "
        "{'column': 'a'}},)); print(validate(pd.DataFrame({'a': [1]}), suite), 'great_expectations' in sys.modules)"
    )
    validated = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=REPO_ROOT)
    assert validated.stdout.splitlines()[-1] == "[] True"

"""Great Expectations' pandas regex metrics, matched once per category of a categorical column.

The checks read repeating text columns as categoricals (orchestration/quality/table_validation.py). GX 1.x's pandas
metrics behind expect_column_values_to_match_regex and ..._to_not_match_regex turn every value into a Python string
and match each one: on a national year's 1.9 million declaration lines, five such expectations took 21 of the suite's
37 s (cProfile), matching the same pseudonyms and codes again on every line that repeats them. A categorical's values
are its categories, so matching each category once and looking the answer up by code gives the same mask.

Importing this module registers the two metrics for pandas again, as GX lets a metric provider do; GX logs that it
overwrote the provider. Anything not categorical is matched exactly as GX does.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from great_expectations.execution_engine import PandasExecutionEngine
from great_expectations.expectations.metrics.column_map_metrics.column_values_match_regex import (
    ColumnValuesMatchRegex,
)
from great_expectations.expectations.metrics.column_map_metrics.column_values_not_match_regex import (
    ColumnValuesNotMatchRegex,
)
from great_expectations.expectations.metrics.map_metric_provider import column_condition_partial


def contains_match(column: pd.Series, regex: str) -> pd.Series:
    """column.astype(str).str.contains(regex), as GX computes it, with a categorical matched per category."""
    if not isinstance(column.dtype, pd.CategoricalDtype):
        return column.astype(str).str.contains(regex)
    per_category = np.asarray(column.cat.categories.astype(str).str.contains(regex), dtype=bool)
    # A missing value has code -1; GX's astype(str) would have matched it as the text 'nan'.
    lookup = np.append(per_category, re.search(regex, "nan") is not None)
    return pd.Series(lookup[column.cat.codes.to_numpy()], index=column.index)


class CategoricalMatchRegex(ColumnValuesMatchRegex):
    @column_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column, regex, **kwargs):
        return contains_match(column, regex)


class CategoricalNotMatchRegex(ColumnValuesNotMatchRegex):
    @column_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column, regex, **kwargs):
        return ~contains_match(column, regex)

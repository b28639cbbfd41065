"""What sqlfluff's jinja templater (.sqlfluff) needs to render this dbt project without running dbt.

dbt's `var` with the values of dbt_project.yml (sqlfluff's own returns a string, which `range()` cannot take), and
the cross-database macros the models call as `dbt.<macro>`, rendered as a DuckDB expression of the same shape. The
linter only parses what these render: sqlfluff never rewrites a templated span.
"""

from pathlib import Path
from types import SimpleNamespace

import yaml

_VARS = yaml.safe_load((Path(__file__).parents[1] / "dbt_project.yml").read_text(encoding="utf-8"))["vars"]


def var(name, default=None):
    return _VARS.get(name, default)


dbt = SimpleNamespace(
    bool_or=lambda expression: f"bool_or({expression})",
    concat=lambda fields: "concat(" + ", ".join(fields) + ")",
    # SQL text for the linter to parse; nothing runs it.
    date_spine=lambda datepart, start_date, end_date: (
        f"select range as date_{datepart} from range({start_date}, {end_date}, interval 1 {datepart})"  # noqa: S608
    ),
    date_trunc=lambda datepart, date: f"date_trunc('{datepart}', {date})",
    dateadd=lambda datepart, interval, from_date_or_timestamp: (
        f"date_add({from_date_or_timestamp}, interval ({interval}) {datepart})"
    ),
    datediff=lambda first_date, second_date, datepart: f"date_diff('{datepart}', {first_date}, {second_date})",
    hash=lambda field: f"md5(cast({field} as varchar))",
    listagg=lambda measure, delimiter_text="','", order_by_clause="", limit_num=None: (
        f"string_agg({measure}, {delimiter_text} {order_by_clause})"
    ),
    position=lambda substring_text, string_text: f"position({substring_text} in {string_text})",
    split_part=lambda string_text, delimiter_text, part_number: (
        f"split_part({string_text}, {delimiter_text}, {part_number})"
    ),
)

# adapter.dispatch picks a macro per database; the project's dispatched macros (byte_order) wrap one column, which is
# what the linter gets to parse.
adapter = SimpleNamespace(dispatch=lambda macro_name, macro_namespace=None: lambda column: column)

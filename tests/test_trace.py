"""The trace command (orchestration/trace.py, issue 23) reproduces every catalogue KPI from the fact rows it lists.

For one value of every KPI in seeds/reference/kpi_catalogue.csv (the non-national value with the largest numerator, so
the trace has rows to add up), the command's CSV is read back and the figures are computed here, independently of the
dbt totals: the distinct count of counting keys or the sum of amounts over the distinct fact rows, as the catalogue's
numerator_kind and denominator_kind say. They must equal marts.kpi_values' numerator and denominator. Every iJw fact row
must name at least one message record with its file and line. A growth KPI, which the one-year sample has no value
for, is checked against its base KPI's values: the traced rows of a period, and a year later as denominator. A
national value lists the CBS rows it was taken from.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from orchestration.trace import main

CATALOGUE = Path(__file__).resolve().parents[1] / "seeds" / "reference" / "kpi_catalogue.csv"
IJW_FACTS = {"fct_trajectory", "fct_referral", "fct_declaration_line", "jw315_request"}
MEASURE_OF_KIND = {"count": "distinct_count", "EUR": "sum", "days": "sum", "volume": "sum"}
# A share of the population counts youths in the CBS population table, and a CBS justice KPI is CBS's published
# count: a sum of counts, not a distinct count.
SUMMED_COUNTS = {"fct_population", "fct_cbs_indicator"}


def catalogue() -> list[dict[str, str]]:
    with CATALOGUE.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def traced_lines(db: Path, tmp_path: Path, kpi_id: str, scope_type: str, scope: str, period: str) -> list[dict]:
    out = tmp_path / f"{kpi_id}-{scope_type}-{scope}-{period}.csv"
    status = main([kpi_id, "--scope-type", scope_type, "--scope", scope, "--period", period, "--warehouse", str(db),
                   "--csv", str(out)])  # fmt: skip
    assert status == 0
    with out.open(encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def figure(lines: list[dict], role: str) -> tuple[Decimal, set[str]]:
    """The figure the role's fact rows make, computed here, and the measures they say they use."""
    facts = {(line["fact_table"], line["fact_key"]): line for line in lines if line["role"] == role}
    measures = {line["measure"] for line in facts.values()}
    if measures == {"sum"}:
        return sum((Decimal(line["amount"]) for line in facts.values()), Decimal(0)), measures
    return Decimal(len({line["counting_key"] for line in facts.values()})), measures


def same(traced: Decimal, published) -> bool:
    # kpi_values keeps two decimals; a budget due (a budget times the share of the year due) has more per row.
    return published is not None and round(traced, 2) == round(Decimal(str(published)), 2)


@pytest.fixture(scope="module")
def values(sample_run) -> dict[str, tuple]:
    """Per KPI, the non-national value with the largest numerator (ties broken by key)."""
    with duckdb.connect(str(sample_run["db"]), read_only=True) as con:
        rows = con.execute(
            """
            select kpi_id, scope_type, scope_code, period, numerator, denominator
            from marts.kpi_values
            where scope_type <> 'nl' and numerator is not null
            qualify row_number() over (
                partition by kpi_id order by numerator desc, scope_type, scope_code, period_type, period
            ) = 1
            """
        ).fetchall()
    return {row[0]: row[1:] for row in rows}


@pytest.mark.parametrize("kpi", catalogue(), ids=lambda kpi: kpi["kpi_id"])
def test_trace_reproduces_the_kpi_value(kpi, values, sample_run, tmp_path):
    kpi_id = kpi["kpi_id"]
    if kpi_id not in values:
        assert kpi_id.endswith("_growth"), f"{kpi_id} has no value on the sample to trace"
        check_growth_trace(sample_run["db"], kpi_id)
        return
    scope_type, scope, period, numerator, denominator = values[kpi_id]
    lines = traced_lines(sample_run["db"], tmp_path, kpi_id, scope_type, scope, period)

    check_reproduced(kpi, lines, numerator, denominator)


def check_reproduced(kpi: dict[str, str], lines: list[dict], numerator, denominator) -> None:
    """The traced rows make the published numerator and denominator with the measure the catalogue's kinds say, and
    every iJw fact row names its message record."""
    kpi_id = kpi["kpi_id"]
    for role, published in (("numerator", numerator), ("denominator", denominator)):
        if kpi[f"{role}_kind"] == "none":
            continue
        traced, measures = figure(lines, role)
        assert same(traced, published), f"{kpi_id}: traced {role} {traced}, kpi_values {published}"
        tables = {line["fact_table"] for line in lines if line["role"] == role}
        if published:
            expected = "sum" if tables <= SUMMED_COUNTS else MEASURE_OF_KIND[kpi[f"{role}_kind"]]
            assert measures == {expected}

    for line in lines:
        if line["fact_table"] in IJW_FACTS:
            assert line["message_type"].startswith("JW"), f"{kpi_id}: fact row {line['fact_key']} has no message"
            assert line["file_path"] and line["file_sha256"] and int(line["source_line"]) > 0


@pytest.mark.parametrize("kpi_id", ["clients_in_care", "net_declared_cost", "cost_per_client"])
def test_trace_reproduces_a_product_category_value(kpi_id, sample_run, tmp_path):
    """A product-category value (iJw JZ020; its own family) traces like any other scope: the category and year with
    the most clients, or the largest numerator."""
    with duckdb.connect(str(sample_run["db"]), read_only=True) as con:
        published = con.execute(
            "select scope_code, period, numerator, denominator from marts.kpi_values "
            "where kpi_id = ? and scope_type = 'product_category' and period_type = 'year' and numerator > 0 "
            "order by numerator desc, scope_code, period limit 1",
            [kpi_id],
        ).fetchone()
    assert published is not None, f"{kpi_id} has no product-category value on the sample"
    scope, period, numerator, denominator = published
    lines = traced_lines(sample_run["db"], tmp_path, kpi_id, "product_category", scope, period)
    assert {line["scope_type"] for line in lines} == {"product_category"}
    check_reproduced(next(kpi for kpi in catalogue() if kpi["kpi_id"] == kpi_id), lines, numerator, denominator)


def check_growth_trace(db: Path, kpi_id: str) -> None:
    """A growth KPI's rows are its base KPI's: in the period as numerator, a year later as denominator."""
    base = kpi_id.removesuffix("_growth")
    with duckdb.connect(str(db), read_only=True) as con:
        published = con.execute(
            "select scope_type, scope_code, period, numerator from marts.kpi_values "
            "where kpi_id = ? and scope_type <> 'nl' and numerator > 0 order by numerator desc, scope_code, period "
            "limit 1",
            [base],
        ).fetchone()
        assert published is not None, f"{base} has no value on the sample"
        scope_type, scope, period, numerator = published
        next_year = str(int(period[:4]) + 1) + period[4:]
        rows = con.execute(
            "select role, period, fact_table, fact_key, counting_key, measure, amount "
            "from audit_tier.kpi_contributions where kpi_id = ? and scope_type = ? and scope_code = ? "
            "and period in (?, ?)",
            [kpi_id, scope_type, scope, period, next_year],
        ).fetchall()
    by_role: dict[tuple[str, str], list[tuple]] = defaultdict(list)
    for role, row_period, *fact in rows:
        by_role[(role, row_period)].append(fact)
    for role, row_period in (("numerator", period), ("denominator", next_year)):
        facts = by_role[(role, row_period)]
        if facts and facts[0][3] == "sum":
            traced = sum(Decimal(str(fact[4])) for fact in facts)
        else:
            traced = Decimal(len({fact[2] for fact in facts}))
        assert same(traced, numerator), f"{kpi_id} {role} {row_period}: traced {traced}, {base} {numerator}"


def test_national_value_traces_to_its_cbs_table(sample_run, tmp_path, capsys):
    with duckdb.connect(str(sample_run["db"]), read_only=True) as con:
        period, value = con.execute(
            "select period, value from marts.kpi_values where kpi_id = 'clients_in_care' and scope_type = 'nl' "
            "order by period desc limit 1"
        ).fetchone()
    assert main(["clients_in_care", "--scope-type", "nl", "--scope", "NL01", "--period", period,
                 "--warehouse", str(sample_run["db"])]) == 0  # fmt: skip
    printed = capsys.readouterr().out
    assert "85099NED" in printed
    assert f"JongerenMetJeugdhulp_2  = {value}" in printed


def test_unknown_value_is_an_error(sample_run, capsys):
    status = main(["net_declared_cost", "--scope-type", "municipality", "--scope", "GM9999", "--period", "2024-Q3",
                   "--warehouse", str(sample_run["db"])])  # fmt: skip
    assert status == 1
    assert "No such value" in capsys.readouterr().out

"""Known-answer test: the pipeline on a generated world reproduces the generator's ground_truth.json exactly.

The ground truth comes from the generator's own event model (orchestration/generator/ground_truth.py), never from
the warehouse; the definitions are in docs/ground-truth.md. A larger world runs in the slow variant (make test-slow).
"""

import json
import math
import subprocess
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from tests.conftest import run_everything, set_warehouse_env

# GM1681 is outside the seed: its facts must find it in dim_municipality through the world's CBS Gebieden snapshot.
# Renewals (an allocation ended 36/37, renewed the next day) put the CBS trajectory rule's day-after case in the world.
SMALL_WORLD = [
    "--municipalities",
    "GM0392,GM0268,GM0453,GM1681",
    "--from",
    "2023-Q3",
    "--to",
    "2024-Q2",
    "--scale",
    "0.03",
    "--renewals",
    "0.15",
]
LARGE_WORLD = [
    *("--municipalities", "default", "--from", "2023-Q1", "--to", "2024-Q4", "--scale", "0.2"),
    *("--renewals", "0.1"),
]
FILE_LEVEL_CODES = {"TR358", "CS340", "XML_MALFORMED", "WRONG_BERICHTCODE"}


def generate(landing: Path, options: list[str]) -> dict:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "orchestration.generator",
            "--out",
            str(landing),
            "--seed",
            "11",
            "--faults",
            "0.03",
            "--quiet",
            *options,
        ],
        check=True,
    )
    return json.loads((landing / "ground_truth.json").read_text())


def run_world(definitions, root: Path, options: list[str]):
    landing, warehouse = root / "landing", root / "warehouse"
    truth = generate(landing, options)
    with pytest.MonkeyPatch.context() as monkeypatch:
        set_warehouse_env(monkeypatch, warehouse, landing, "known-answer-key-0123456789")
        result = run_everything(definitions)
    return truth, result, warehouse / "warehouse.duckdb"


QUARTER = "extract(year from {d}) || '-Q' || extract(quarter from {d})"

MEASURES = {
    "net_declared_cents": f"""
        select municipality_code, {QUARTER.format(d="period_start")}, null, sum(amount_cents)
        from marts.fct_declaration_line group by all""",
    "trajectories_started": f"""
        select municipality_code, {QUARTER.format(d="start_date")}, care_form_code, count(*)
        from marts.fct_trajectory group by all""",
    "trajectories_ended": f"""
        select municipality_code, {QUARTER.format(d="end_date")}, care_form_code, count(*)
        from marts.fct_trajectory where end_date is not null group by all""",
    "mean_duration_days_ended": f"""
        select municipality_code, {QUARTER.format(d="end_date")}, null, avg(duration_days)
        from marts.fct_trajectory where end_date is not null group by all""",
    "allocations_by_referrer": f"""
        select municipality_code, {QUARTER.format(d="allocated_on")}, referrer_type_code, count(*)
        from marts.fct_referral group by all""",
    "mean_days_request_to_allocation": f"""
        select municipality_code, {QUARTER.format(d="allocated_on")}, null, avg(days_request_to_allocation)
        from marts.fct_referral where requested_on is not null group by all""",
    "mean_days_allocation_to_start": f"""
        select municipality_code, {QUARTER.format(d="allocated_on")}, null, avg(days_allocation_to_start)
        from marts.fct_referral where started_on is not null group by all""",
    "unique_clients": """
        with quarters as (
            select distinct quarter, min(date_day) over (partition by quarter) as first_day,
                   max(date_day) over (partition by quarter) as last_day
            from marts.dim_date
        )
        select t.municipality_code, q.quarter, null, count(distinct t.client_key)
        from marts.fct_trajectory t
        join quarters q on t.start_date <= q.last_day and (t.end_date is null or t.end_date >= q.first_day)
        group by all""",
}


def expected_values(truth: dict, measure: str) -> dict:
    values = {}
    for row in truth["by_municipality_quarter"]:
        value = row[measure]
        key = (row["municipality_code"], row["quarter"])
        if isinstance(value, dict):
            values.update({(*key, code): count for code, count in value.items() if count})
        elif value is not None and value != 0:
            values[(*key, None)] = value
    return values


def actual_values(con, measure: str, quarters: set[str]) -> dict:
    return {
        (municipality, quarter, code): float(value) if isinstance(value, float) else value
        for municipality, quarter, code, value in con.execute(MEASURES[measure]).fetchall()
        if quarter in quarters and value not in (None, 0)
    }


def assert_matches_ground_truth(truth: dict, result, db: Path) -> None:
    assert result.success, "the pipeline failed on a generated world"
    quarters = {row["quarter"] for row in truth["by_municipality_quarter"]}
    with duckdb.connect(str(db), read_only=True) as con:
        for measure in MEASURES:
            expected, actual = expected_values(truth, measure), actual_values(con, measure, quarters)
            assert expected.keys() == actual.keys(), f"{measure}: keys differ"
            for key, value in expected.items():
                assert math.isclose(actual[key], value, rel_tol=1e-9, abs_tol=1e-9), f"{measure} {key}"
        quarantined = defaultdict(int)
        for code, is_file_row, count in con.execute(
            "select reason_code, record_ref is null, count(*) from audit.quarantine group by all"
        ).fetchall():
            if is_file_row == (code in FILE_LEVEL_CODES):
                quarantined[code] += count
        assert dict(quarantined) == {code: n for code, n in truth["faults"].items() if n}
        unbalanced = con.execute(
            """
            select file_path from audit.ingest_ledger
            where records_read <> records_accepted + records_quarantined
               or amount_cents_read <> amount_cents_accepted + amount_cents_quarantined
            """
        ).fetchall()
        assert not unbalanced
        files = dict(con.execute("select message_type, count(*) from audit.ingest_ledger group by all").fetchall())
        # The world's own CBS snapshots (population, Gebieden) are ingested alongside its iJw messages.
        assert {kind: n for kind, n in files.items() if kind.startswith("CBS:")} == {
            "CBS:03759ned": 1,
            "CBS:85755NED": 1,
        }
        assert {kind: n for kind, n in files.items() if not kind.startswith("CBS:")} == truth["totals"]["files"]


@pytest.fixture(scope="module")
def small_world(definitions, tmp_path_factory):
    return run_world(definitions, tmp_path_factory.mktemp("known_answers"), SMALL_WORLD)


def test_small_world_reproduces_the_ground_truth(small_world):
    assert_matches_ground_truth(*small_world)


def _decimal(value):
    """kpi_values keeps numerator and denominator as decimal(18, 2); the ground truth writes a fractional volume
    (realisation_share's allocated volume) rounded to two decimals, which JSON carries as a float."""
    return None if value is None else Decimal(str(value))


# The scopes the ground truth computes: every municipality of the world, and the product categories over all of them.
TRUTH_SCOPES = ("municipality", "product_category")


def assert_kpis_match_ground_truth(truth: dict, db: Path) -> None:
    """kpi_values reproduces every KPI row of the ground truth: counts and cents exactly, rates and means to 1e-9,
    with no extra row for those KPIs, scopes and periods."""
    expected = {
        (row["kpi_id"], row["scope_type"], row["scope_code"], row["period_type"], row["period"]): row
        for row in truth["kpis"]
        if row["scope_type"] in TRUTH_SCOPES
    }
    kpis_of_scope = {(key[0], key[1]) for key in expected}
    periods = {key[3:] for key in expected}
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "select kpi_id, scope_type, scope_code, period_type, period, value, numerator, denominator"
            f" from marts.kpi_values where scope_type in {TRUTH_SCOPES}"
        ).fetchall()
    actual = {
        (kpi, scope_type, code, period_type, period): (value, numerator, denominator)
        for kpi, scope_type, code, period_type, period, value, numerator, denominator in rows
        if (kpi, scope_type) in kpis_of_scope and (period_type, period) in periods
    }
    assert expected.keys() == actual.keys(), sorted(expected.keys() ^ actual.keys())[:10]
    for key, row in expected.items():
        value, numerator, denominator = actual[key]
        assert numerator == _decimal(row["numerator"]) and denominator == _decimal(row["denominator"]), key
        assert math.isclose(value, row["value"], rel_tol=1e-9, abs_tol=1e-9), key


def test_small_world_kpi_values_reproduce_the_ground_truth(small_world):
    truth, result, db = small_world
    assert result.success
    assert {row["kpi_id"] for row in truth["kpis"]} >= {
        "clients_in_care",
        "net_declared_cost",
        "referrer_share_01",
        "realisation_share",
        "youth_in_care_share",
        "repeat_care_share",
        "ended_according_to_plan_share",
        "early_termination_share",
        "ended_administrative_share",
        "pleegzorg_share",
        "gezinshuis_share",
    }
    assert {row["kpi_id"] for row in truth["kpis"] if row["scope_type"] == "product_category"} == {
        "clients_in_care",
        "net_declared_cost",
        "cost_per_client",
    }
    assert_kpis_match_ground_truth(truth, db)


def test_small_world_has_renewals_the_next_day_merged_into_one_trajectory(small_world):
    """The known answers above cover the day-after rule only if the world has such renewals: episodes ended 36/37
    whose trajectory goes on with an episode starting the next day."""
    _, result, db = small_world
    assert result.success
    with duckdb.connect(str(db), read_only=True) as con:
        (renewals,) = con.execute(
            """
            select count(*)
            from intermediate.int_trajectory_episodes_mapped as ended_map
            inner join intermediate.int_care_episodes_applied as ended
                on ended_map.allocation_number = ended.allocation_number
                and ended_map.product_code = ended.product_code
            inner join intermediate.int_trajectory_episodes_mapped as renewed_map
                on ended_map.trajectory_id = renewed_map.trajectory_id
            inner join intermediate.int_care_episodes_applied as renewed
                on renewed_map.allocation_number = renewed.allocation_number
                and renewed_map.product_code = renewed.product_code
            where ended.end_reason_code in ('36', '37') and renewed.start_date = ended.end_date + 1
            """
        ).fetchone()
    assert renewals > 0


def test_small_world_municipality_outside_the_seed_is_in_dim_municipality(small_world):
    _, result, db = small_world
    assert result.success
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute(
            "select municipality_name, region_code from marts.dim_municipality where municipality_code = 'GM1681'"
        ).fetchall()
        regions = con.execute("select count(*) from marts.dim_region where region_code = 'JZ04'").fetchone()
    assert rows == [("Gemeente 1681 (synthetisch)", "JZ04")]
    assert regions == (1,)


@pytest.mark.slow
def test_twenty_municipalities_two_years_reproduce_the_ground_truth(definitions, tmp_path):
    truth, result, db = run_world(definitions, tmp_path, LARGE_WORLD)
    assert_matches_ground_truth(truth, result, db)
    assert_kpis_match_ground_truth(truth, db)

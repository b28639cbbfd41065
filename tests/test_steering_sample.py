"""The steering marts on the shipped sample (the session's sample_run): the rules of docs/steering.md hold on every
row, drivers add up to the deviation, no_data matches what the publisher withholds, and every red signal of a region
is on its agenda. Also: dbt, the settings and the publisher share one suppression threshold."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import duckdb
import pytest
import yaml

from orchestration.defs.dbt.assets import dbt_vars
from orchestration.defs.resources import WarehouseResource
from orchestration.settings import DBT_PROJECT_DIR, DEFAULT_SUPPRESSION_THRESHOLD, Settings
from orchestration.warehouse.publish import PUBLISHED_FILENAME


def query(sample_run, sql: str) -> list[tuple]:
    with duckdb.connect(str(sample_run["db"]), read_only=True) as con:
        return con.execute(sql).fetchall()


def expected_status(value, target, band_low, band_high, direction) -> str:
    if value is None:
        return "no_data"
    if direction == "lower_is_better":
        return "green" if value <= target else "amber" if value <= band_high else "red"
    return "green" if value >= target else "amber" if value >= band_low else "red"


def test_every_status_follows_the_band_rule(sample_run):
    rows = query(
        sample_run,
        "select kpi_id, scope_type, scope_code, period, value, target, band_low, band_high, direction, status "
        "from marts.steering_signals",
    )
    statuses = defaultdict(int)
    for *key, value, target, band_low, band_high, direction, status in rows:
        assert status == expected_status(value, target, band_low, band_high, direction), key
        statuses[status] += 1
    assert statuses["green"] and statuses["red"] and statuses["no_data"]


def test_drivers_add_up_to_the_deviation_on_the_sample(sample_run):
    sums = query(
        sample_run,
        "select d.kpi_id, d.scope_type, d.scope_code, d.period, d.driver_type, sum(d.contribution), "
        "sum(d.share), max(s.value - s.target) from marts.steering_drivers as d "
        "join marts.steering_signals as s using (kpi_id, scope_type, scope_code, period) group by all",
    )
    assert len(sums) > 20
    for *key, contributions, shares, deviation in sums:
        assert contributions == pytest.approx(deviation, rel=1e-9, abs=1e-9), key
        assert shares == pytest.approx(1.0, abs=1e-9), key
    unexplained = query(
        sample_run,
        "select count(*) from marts.steering_signals as s where s.status in ('amber', 'red') "
        "and s.scope_type = 'region' and not exists (select 1 from marts.steering_drivers as d "
        "where d.kpi_id = s.kpi_id and d.scope_type = s.scope_type and d.scope_code = s.scope_code "
        "and d.period = s.period)",
    )
    assert unexplained == [(0,)]


def test_no_data_is_the_primary_suppression_rule(sample_run):
    """In the warehouse a signal is no_data 'suppressed' exactly where a count lies strictly between 0 and the
    threshold (the primary rule, recomputed here from kpi_values); the published copy withholds those too, and the
    publisher's complements on top (tests/test_publish.py)."""
    threshold = Settings.from_env().suppression_threshold
    kinds = {
        kpi_id: (unit == "count", numerator_kind == "count", denominator_kind == "count")
        for kpi_id, unit, numerator_kind, denominator_kind in query(
            sample_run, "select kpi_id, unit, numerator_kind, denominator_kind from marts.dim_kpi"
        )
    }
    small = set()
    for kpi_id, scope_type, scope_code, period, value, numerator, denominator in query(
        sample_run,
        "select kpi_id, scope_type, scope_code, period, value, numerator, denominator from marts.kpi_values "
        "where period_type = 'quarter'",
    ):
        figures = zip(kinds[kpi_id], (value, numerator, denominator), strict=True)
        if any(is_count and figure is not None and 0 < figure < threshold for is_count, figure in figures):
            small.add((kpi_id, scope_type, scope_code, period))
    signalled = query(
        sample_run, "select kpi_id, scope_type, scope_code, period, no_data_reason, value from marts.steering_signals"
    )
    suppressed = {tuple(row[:4]) for row in signalled if row[4] == "suppressed"}
    assert suppressed
    assert suppressed == small & {tuple(row[:4]) for row in signalled}
    assert all(row[5] is None for row in signalled if row[4] is not None)
    published = Path(sample_run["db"]).parent / "published" / PUBLISHED_FILENAME
    with duckdb.connect(str(published), read_only=True) as con:
        withheld = set(
            con.execute(
                "select kpi_id, scope_type, scope_code, period from kpi_values "
                "where suppressed and period_type = 'quarter'"
            ).fetchall()
        )
        published_no_data = set(
            con.execute(
                "select kpi_id, scope_type, scope_code, period from steering_signals where status = 'no_data' "
                "and value is null"
            ).fetchall()
        )
    assert suppressed <= withheld
    assert withheld & {tuple(row[:4]) for row in signalled} <= published_no_data


def test_the_last_trend_value_is_the_signal_value(sample_run):
    rows = query(sample_run, "select value, trend_values from marts.steering_signals")
    for value, trend_values in rows:
        last = json.loads(trend_values)[-1]
        assert last == (None if value is None else pytest.approx(value, abs=5e-5))


def test_every_red_signal_of_a_region_is_on_its_agenda(sample_run):
    red = set(
        query(
            sample_run,
            "select region_code, period, kpi_id, scope_type, scope_code from marts.steering_signals "
            "where status = 'red' and region_code is not null",
        )
    )
    on_agenda = set(
        query(
            sample_run,
            "select region_code, period, kpi_id, scope_type, scope_code from marts.dialogue_agenda "
            "where provider_agb is null and item_type = 'red_signal'",
        )
    )
    assert red and red == on_agenda


def test_agendas_rank_red_before_amber_without_gaps(sample_run):
    agendas = defaultdict(list)
    for region, provider, period, rank, item_type in query(
        sample_run,
        "select region_code, provider_agb, period, item_rank, item_type from marts.dialogue_agenda order by all",
    ):
        agendas[(region, provider, period)].append((rank, item_type))
    assert any(provider is not None for _, provider, _ in agendas)
    for key, items in agendas.items():
        assert [rank for rank, _ in items] == list(range(1, len(items) + 1)), key
        types = [item_type for _, item_type in items]
        signal_types = [t for t in types if t.endswith("_signal")]
        assert signal_types == sorted(signal_types, key=lambda t: t != "red_signal"), key


def test_dbt_the_settings_and_the_publisher_share_one_threshold(monkeypatch):
    project = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))
    monkeypatch.delenv("WAREHOUSE_SUPPRESSION_THRESHOLD", raising=False)
    default = Settings.from_env().suppression_threshold
    assert project["vars"]["suppression_threshold"] == default == DEFAULT_SUPPRESSION_THRESHOLD
    monkeypatch.setenv("WAREHOUSE_SUPPRESSION_THRESHOLD", "3")
    assert dbt_vars(WarehouseResource()) == {"suppression_threshold": 3}

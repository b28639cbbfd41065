"""The quarterly close's schedule: the quarter's close for every region WAREHOUSE_CLOSE_LAG_DAYS after it ends, at the
dates around the quarter end, and the quarter dates it computes (hand-counted)."""

import datetime as dt

import dagster as dg
import pytest

from orchestration.closes.quarters import close_date, default_as_of, quarter_closing_on, quarter_end, quarters_through
from orchestration.defs.close.partitions import close_partitions, seed_regions
from orchestration.defs.close.schedule import quarterly_close_schedule


def evaluate(day: dt.date) -> list[dg.RunRequest] | dg.SkipReason:
    """The schedule's answer at 06:00 on `day`, invoked as Dagster's docs test schedules."""
    return quarterly_close_schedule(
        dg.build_schedule_context(scheduled_execution_time=dt.datetime(day.year, day.month, day.day, 6))
    )


@pytest.mark.parametrize(
    ("day", "quarter"),
    [
        # 30 September + 42 days: 1 day left in September, 31 in October, 10 in November.
        (dt.date(2025, 11, 11), "2025-Q3"),
        # 31 December + 42: 31 in January, 11 in February.
        (dt.date(2026, 2, 11), "2025-Q4"),
        # 31 March + 42: 30 in April, 12 in May; 30 June + 42: 31 in July, 11 in August.
        (dt.date(2026, 5, 12), "2026-Q1"),
        (dt.date(2026, 8, 11), "2026-Q2"),
    ],
)
def test_on_the_due_day_the_quarter_closes_for_every_region(monkeypatch, day, quarter):
    monkeypatch.delenv("WAREHOUSE_CLOSE_LAG_DAYS", raising=False)
    requests = evaluate(day)
    assert sorted(request.partition_key for request in requests) == [f"{quarter}|{region}" for region in seed_regions()]
    assert seed_regions() == ["JZ06", "JZ10", "JZ11", "JZ32"]
    assert len({request.run_key for request in requests}) == len(requests)


@pytest.mark.parametrize(
    "day",
    [
        dt.date(2025, 9, 30),  # the quarter's last day
        dt.date(2025, 10, 1),  # the day after
        dt.date(2025, 11, 10),  # one day early
        dt.date(2025, 11, 12),  # one day late: that tick has passed
    ],
)
def test_around_the_quarter_end_nothing_is_launched(monkeypatch, day):
    monkeypatch.delenv("WAREHOUSE_CLOSE_LAG_DAYS", raising=False)
    result = evaluate(day)
    assert isinstance(result, dg.SkipReason)
    assert "no close due today" in result.skip_message


def test_the_skip_names_the_next_close():
    assert "2025-Q3 closes on 2025-11-11" in evaluate(dt.date(2025, 10, 1)).skip_message


def test_the_lag_is_a_setting_read_at_each_tick(monkeypatch):
    monkeypatch.setenv("WAREHOUSE_CLOSE_LAG_DAYS", "0")
    assert {request.partition_key.split("|")[0] for request in evaluate(dt.date(2025, 9, 30))} == {"2025-Q3"}
    monkeypatch.setenv("WAREHOUSE_CLOSE_LAG_DAYS", "90")
    # 31 December 2024 + 90 = 31 March 2025 (2025 is not a leap year: 31 + 28 + 31 days).
    assert isinstance(evaluate(dt.date(2025, 3, 30)), dg.SkipReason)
    assert {request.partition_key.split("|")[0] for request in evaluate(dt.date(2025, 3, 31))} == {"2024-Q4"}
    # In a leap year the same lag ends a day earlier: 31 + 29 + 30.
    assert evaluate(dt.date(2024, 3, 30))[0].partition_key.startswith("2023-Q4|")


def test_quarter_dates():
    assert quarter_end("2024-Q1") == dt.date(2024, 3, 31)
    assert quarter_end("2024-Q4") == dt.date(2024, 12, 31)
    assert close_date("2024-Q2", 42) == dt.date(2024, 8, 11)
    assert quarter_closing_on(dt.date(2024, 8, 11), 42) == "2024-Q2"
    assert quarter_closing_on(dt.date(2024, 8, 12), 42) is None
    assert quarters_through("2022-Q2") == ["2021-Q1", "2021-Q2", "2021-Q3", "2021-Q4", "2022-Q1", "2022-Q2"]
    # A close without an explicit cut takes deliveries up to its due day, or up to today before then.
    assert default_as_of("2024-Q3", 42, dt.date(2026, 1, 1)) == dt.date(2024, 11, 11)
    assert default_as_of("2024-Q3", 42, dt.date(2024, 10, 15)) == dt.date(2024, 10, 15)


def test_partitions_are_quarter_by_region():
    assert close_partitions.partition_dimension_names == ["quarter", "region"]
    quarters = close_partitions.get_partitions_def_for_dimension("quarter").get_partition_keys()
    assert quarters[0] == "2021-Q1" and "2024-Q3" in quarters

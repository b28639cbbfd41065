"""Cross-file rules for JW305 start and JW307 stop messages, applied against what the warehouse already holds.

- WITHDRAWAL_WITHOUT_DELIVERY: a withdrawal (StatusAanlevering 3, COD467) must name a delivery (status 1 or 2) with
  the same provider, allocation, product and Begindatum, sent earlier or earlier in the same file. A withdrawal of
  nothing would otherwise vanish in dbt (int_care_episodes_applied) without a trace.
- STOP_WITHOUT_START: a stop names an accepted start of the same provider, client, allocation, product and
  Begindatum (TR069: the key of a start is its client, allocation and Begindatum), so another provider's stop cannot
  end a trajectory, nor a stop end one before it began. The stop asset depends on the start asset, so every start
  landed in the same run is loaded first; a stop read before its start is refused rather than left to build a
  trajectory without a beginning.
- A start must belong to its allocation (TR019, START_OUTSIDE_ALLOCATION): orchestration/warehouse/
  allocation_history.py.
"""

from __future__ import annotations

import datetime as dt

import duckdb

from orchestration.ijw.care_events import CareEvent
from orchestration.warehouse.allocation_history import WITHDRAWAL, reject_starts_without_allocation
from orchestration.warehouse.load import ParsedFile, known_rows

EventKey = tuple[str, str, int | None, str | None, dt.date]
"""(provider_agb, client_key, allocation_number, product_code, start_date)"""
Sent = tuple[dt.date, str, int, int]
"""When a delivery was sent, as dbt orders deliveries (int_care_episodes_applied): message date, file path, line,
record."""


def _event_key(event: CareEvent) -> EventKey:
    return (event.provider_agb, event.client_key, event.allocation_number, event.product_code, event.start_date)


def _sent(event: CareEvent, parsed: ParsedFile) -> Sent:
    return (event.message_date, str(parsed.path), event.source_line, event.source_record)


def _delivered_keys(con: duckdb.DuckDBPyConnection, table: str, batch: list[ParsedFile]) -> dict[EventKey, Sent]:
    """Delivered (status 1/2) events in table for the batch's providers and allocations, each with when it was first
    sent; the lookup stays small."""
    events = [event for parsed in batch for event in parsed.records]
    providers = sorted({event.provider_agb for event in events})
    allocations = sorted({event.allocation_number for event in events if event.allocation_number is not None})
    rows = con.execute(
        f"""
        select provider_agb, client_key, allocation_number, product_code, start_date,
            min((message_date, file_path, source_line, source_record))
        from {known_rows(con, table)}
        where delivery_status <> '{WITHDRAWAL}'
          and provider_agb in (select unnest(?::varchar[]))
          and (allocation_number is null or allocation_number in (select unnest(?::bigint[])))
        group by all
        """,  # noqa: S608 - table is one of ours
        [providers, allocations],
    ).fetchall()
    return {tuple(key): tuple(sent) for *key, sent in rows}


def _reject_withdrawals_without_delivery(parsed: ParsedFile, delivered: dict[EventKey, Sent], label: str) -> None:
    """A withdrawal must follow its delivery in the order dbt applies withdrawals in, or dbt would keep the delivery
    it was accepted to withdraw."""

    def withdrawn_undelivered(event: CareEvent) -> tuple[str, str] | None:
        key, sent = _event_key(event), _sent(event, parsed)
        if event.delivery_status != WITHDRAWAL:
            delivered[key] = min(delivered.get(key, sent), sent)
        elif not (key in delivered and delivered[key] < sent):
            return "WITHDRAWAL_WITHOUT_DELIVERY", (
                f"withdraws (StatusAanlevering 3) a {label.lower()} that was never delivered before it (same "
                "provider, client, allocation, product and Begindatum, an earlier Dagtekening, or the same one in an "
                "earlier file or record)"
            )
        return None

    parsed.records = sorted(parsed.records, key=lambda e: e.source_record)
    parsed.reject_where(withdrawn_undelivered, label)


def _readable(batch: list[ParsedFile]) -> list[ParsedFile]:
    return [parsed for parsed in batch if parsed.file_rejection is None and parsed.records]


def apply_start_history(con: duckdb.DuckDBPyConnection, batch: list[ParsedFile]) -> None:
    """Move JW305 starts that belong to no accepted allocation of theirs, and withdrawals of a start never delivered,
    to rejections; each file of the batch sees the warehouse and the files before it."""
    reject_starts_without_allocation(con, batch)
    batch = _readable(batch)
    delivered = _delivered_keys(con, "raw.ijw_start_events", batch)
    for parsed in batch:
        _reject_withdrawals_without_delivery(parsed, delivered, "StartProduct")


def apply_stop_history(con: duckdb.DuckDBPyConnection, batch: list[ParsedFile]) -> None:
    """Move JW307 stops without an accepted start, and withdrawals of a stop never delivered, to rejections."""
    batch = _readable(batch)
    started = _delivered_keys(con, "raw.ijw_start_events", batch)
    delivered_stops = _delivered_keys(con, "raw.ijw_stop_events", batch)
    for parsed in batch:
        _reject_stops_without_start(parsed, started)
        _reject_withdrawals_without_delivery(parsed, delivered_stops, "StopProduct")


def _reject_stops_without_start(parsed: ParsedFile, started: dict[EventKey, Sent]) -> None:
    def unstarted(event: CareEvent) -> tuple[str, str] | None:
        if _event_key(event) in started:
            return None
        return "STOP_WITHOUT_START", (
            f"allocation {event.allocation_number} product {event.product_code} has no accepted start (JW305) on "
            f"{event.start_date} from this provider for this client"
        )

    parsed.reject_where(unstarted, "StopProduct")

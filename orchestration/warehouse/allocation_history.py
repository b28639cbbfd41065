"""Cross-file rules for JW301 allocations and the JW305 starts that claim them, against what the warehouse holds.

- TR332: a ToewijzingNummer names one allocation: one municipality, provider, client and product. A JW301 re-sent
  with a change keeps all of them; one naming another would take the number over in dbt (int_allocations_referred
  keeps an allocation's latest version), moving its client, provider and money without a trace. The first accepted
  stands.
- TR019: a start (JW305 StatusAanlevering 1 or 2) belongs to an accepted allocation with the same number,
  municipality, provider, client and product, and the ToewijzingIngangsdatum it names is that allocation's. A
  provider's start on another's allocation would otherwise take the trajectory over, and a start on an allocation
  never sent would make one.
- START_OUTSIDE_ALLOCATION: the start's Begindatum lies in that allocation's validity (Ingangsdatum to Einddatum).
  A Toewijzingsdatum after the Ingangsdatum is an allocation made afterwards (crisis care allocated once it ran):
  a start between the two is valid, and fct_referral gives it no lead time from allocation to start.

Each file of a batch sees the warehouse and the files before it. The start asset depends on the allocation asset, so
every allocation landed in the same run is loaded before the starts are judged, whatever the landing's file order.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb

from orchestration.ijw.allocations import Allocation
from orchestration.ijw.care_events import CareEvent
from orchestration.warehouse.load import ParsedFile, known_rows

WITHDRAWAL = "3"
Owner = tuple[str, str, str, str | None, str | None]
"""Whose an allocation is: (municipality_code, provider_agb, client_key, product_category, product_code)."""


@dataclass(frozen=True)
class AllocationVersion:
    owner: Owner
    allocated_on: dt.date
    valid_from: dt.date
    valid_to: dt.date | None

    def holds(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


def _owner(record: Allocation | CareEvent) -> Owner:
    return (
        record.municipality_code,
        record.provider_agb,
        record.client_key,
        record.product_category,
        record.product_code,
    )


def _accepted_versions(con: duckdb.DuckDBPyConnection, numbers: set[int]) -> dict[int, list[AllocationVersion]]:
    """Every accepted version of these allocation numbers, in load order; the lookup stays as small as the batch."""
    rows = con.execute(
        f"""
        select allocation_number, municipality_code, provider_agb, client_key, product_category, product_code,
            allocated_on, valid_from, valid_to
        from {known_rows(con, "raw.ijw_allocations")}
        where allocation_number in (select unnest(?::bigint[]))
        order by ingested_at, file_path, source_line, source_record
        """,  # noqa: S608 - our own table
        [sorted(numbers)],
    ).fetchall()
    versions: dict[int, list[AllocationVersion]] = {}
    for number, *owner, allocated_on, valid_from, valid_to in rows:
        versions.setdefault(number, []).append(AllocationVersion(tuple(owner), allocated_on, valid_from, valid_to))
    return versions


def _readable(batch: list[ParsedFile]) -> list[ParsedFile]:
    return [parsed for parsed in batch if parsed.file_rejection is None and parsed.records]


def apply_allocation_history(con: duckdb.DuckDBPyConnection, batch: list[ParsedFile]) -> None:
    """Move JW301 allocations whose number already names another owner (TR332) to rejections."""
    batch = _readable(batch)
    numbers = {record.allocation_number for parsed in batch for record in parsed.records}
    owners = {number: versions[0].owner for number, versions in _accepted_versions(con, numbers).items()}

    def taken(allocation: Allocation) -> tuple[str, str] | None:
        owner = owners.setdefault(allocation.allocation_number, _owner(allocation))
        if owner == _owner(allocation):
            return None
        return "TR332", (
            f"ToewijzingNummer {allocation.allocation_number} already names an allocation "
            + _differences(owner, allocation)
        )

    for parsed in batch:
        parsed.reject_where(taken, "ToegewezenProduct")


def _differences(owner: Owner, record: Allocation | CareEvent) -> str:
    """What differs between an accepted allocation and a record claiming it; never the client's key itself."""
    labels = ("municipality", "provider", "client", "product category", "product code")
    named = []
    for label, known, claimed in zip(labels, owner, _owner(record), strict=True):
        if known != claimed:
            named.append(f"of another {label}" if label == "client" else f"of {label} {known} (not {claimed})")
    return ", ".join(named)


def reject_starts_without_allocation(con: duckdb.DuckDBPyConnection, batch: list[ParsedFile]) -> None:
    """Move JW305 deliveries that claim no accepted allocation of theirs (TR019), or start outside it
    (START_OUTSIDE_ALLOCATION), to rejections."""
    batch = _readable(batch)
    numbers = {event.allocation_number for parsed in batch for event in parsed.records if event.allocation_number}
    versions = _accepted_versions(con, numbers)
    for parsed in batch:
        parsed.reject_where(
            lambda event: None if event.delivery_status == WITHDRAWAL else _start_rejection(event, versions),
            "StartProduct",
        )


def _start_rejection(event: CareEvent, versions: dict[int, list[AllocationVersion]]) -> tuple[str, str] | None:
    if event.allocation_number is None:
        return "TR019", "names no ToewijzingNummer, so it belongs to no allocation"
    known = versions.get(event.allocation_number, [])
    if not known:
        return "TR019", f"allocation {event.allocation_number} has no accepted JW301"
    owned = [version for version in known if version.owner == _owner(event)]
    if not owned:
        return "TR019", f"allocation {event.allocation_number} is {_differences(known[0].owner, event)}"
    if event.allocation_valid_from is not None:
        owned = [version for version in owned if version.valid_from == event.allocation_valid_from]
        if not owned:
            return "TR019", (
                f"allocation {event.allocation_number} has no version with Ingangsdatum {event.allocation_valid_from}"
            )
    if not any(version.holds(event.start_date) for version in owned):
        periods = "; ".join(
            f"allocated {v.allocated_on}, valid {v.valid_from} to {v.valid_to or 'open'}" for v in owned
        )
        return "START_OUTSIDE_ALLOCATION", (
            f"Begindatum {event.start_date} lies outside allocation {event.allocation_number} ({periods})"
        )
    return None

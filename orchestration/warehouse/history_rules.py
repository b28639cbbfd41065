"""The rules that judge a batch's records against earlier files (load.HistoryRule), in one mechanism: the accepted
rows a rule can refer to are read back (known_rows: in a lane, its own rows, the warehouse's and those of the lanes of
earlier phases) and take effect; then each record is checked, file by file in batch order, against what took effect
before it: accepted, it takes effect in turn; rejected, it becomes a quarantine row.

JW323, per provider. TR314: a ReferentieNummer is delivered once, debit or credit (a reused one would let one credit,
which names its debit by that number, cancel two debits). TR389/TR416: one uncredited debit per allocation, product
and period (a provider corrects a line by crediting it first and then declaring it again). CD060: a credit names, in
VorigReferentieNummer, an earlier debit that is not credited yet (TR323, TR390), and mirrors it: same municipality,
client, allocation, product, period and amount, since the netting cancels the whole debit. Within a file credits are
judged before debits, so a file that credits a line and declares it again is accepted whatever the order of its lines.

JW301. TR332: a ToewijzingNummer names one allocation: one municipality, provider, client and product. A JW301 re-sent
with a change keeps all of them; one naming another would take the number over in dbt (int_allocations_referred keeps
an allocation's latest version), moving its client, provider and money without a trace. The first accepted stands.

JW305. TR019: a start (StatusAanlevering 1 or 2) belongs to an accepted allocation with the same number, municipality,
provider, client and product, and the ToewijzingIngangsdatum it names is that allocation's: a provider's start on
another's allocation would otherwise take the trajectory over, and a start on an allocation never sent would make one.
START_OUTSIDE_ALLOCATION: its Begindatum lies in that allocation's validity (Ingangsdatum to Einddatum). A
Toewijzingsdatum after the Ingangsdatum is an allocation made afterwards (crisis care allocated once it ran): a start
between the two is valid, and fct_referral gives it no lead time from allocation to start.

JW305 and JW307. WITHDRAWAL_WITHOUT_DELIVERY: a withdrawal (StatusAanlevering 3, COD467) names a delivery (status 1 or
2) of the same provider, client, allocation, product and Begindatum sent before it in the order dbt applies withdrawals
in (int_care_episodes_applied), or it would vanish there without a trace, or leave standing what it withdraws.
STOP_WITHOUT_START: a stop names an accepted start of the same provider, client, allocation, product and Begindatum
(TR069: a start's key is its client, allocation and Begindatum), so another provider's stop cannot end a trajectory,
nor a stop end one before it began; a stop read before its start is refused rather than left to build a trajectory
without a beginning.

The start asset depends on the allocation asset and the stop asset on the start asset, so every allocation (start)
landed in a run is loaded before its starts (stops) are judged, whatever the landing's file order.
"""

from __future__ import annotations

import functools
import operator
from collections import namedtuple
from collections.abc import Callable, Iterable
from typing import Any

import duckdb

from orchestration.ijw.reader import record_place
from orchestration.warehouse.load import ParsedFile, known_rows

WITHDRAWAL = "3"
Check = Callable[[Any, str], tuple[str, str] | None]
"""(record, its file's path) -> None when it is accepted, else (reason_code, reason)."""


def _judge(
    batch: list[ParsedFile],
    label: str,
    check: Check,
    take_effect: Callable[[Any, str], None] = lambda _record, _path: None,
    history: Iterable[Any] = (),
    *,
    named_by: str = "record_ref",
    order: Callable[[Any], Any] = operator.attrgetter("source_record"),
) -> None:
    """Rows read back (history) take effect; then each record of the batch's readable files, file by file and in
    order within its file, is checked: accepted, it takes effect; rejected, it moves to its file's rejections with the
    reason '<label> <its named_by> <place>: <reason>'. The accepted records keep document order."""
    for row in history:
        take_effect(row, row.file_path)
    for parsed in batch:
        if parsed.file_rejection is not None or not parsed.records:
            continue
        path, accepted = str(parsed.path), []
        for record in sorted(parsed.records, key=order):
            rejection = check(record, path)
            if rejection is None:
                take_effect(record, path)
                accepted.append(record)
                continue
            reason = f"{label} {getattr(record, named_by)} {record_place(record.source_line, record.source_record)}: "
            parsed.reject_record(record, rejection[0], reason + rejection[1], record.record_ref)
        parsed.records = sorted(accepted, key=operator.attrgetter("source_record"))


def _known(con: duckdb.DuckDBPyConnection, table: str, columns: str, batch: list[ParsedFile], **keys: str) -> list:
    """columns and file_path of table's accepted rows (known_rows) whose keys (column=SQL type) equal a readable batch
    record's, in load order, as named tuples: the lookup stays as small as the batch."""
    records = (record for parsed in batch if parsed.file_rejection is None for record in parsed.records)
    key_of = operator.attrgetter(*keys)
    values = set(map(key_of, records)) if len(keys) > 1 else {(key_of(record),) for record in records}
    if not values:
        return []
    match = " and ".join(f"t.{key} is not distinct from k.{key}" for key in keys)
    batch_keys = ", ".join(f"unnest(?::{sql_type}[]) as {key}" for key, sql_type in keys.items())
    result = con.execute(
        f"""
        select {columns}, file_path from {known_rows(con, table)} t semi join (select {batch_keys}) k on {match}
        order by ingested_at, file_path, source_line, source_record
        """,  # noqa: S608 - our own names
        [list(column) for column in zip(*values, strict=True)],
    )
    return list(map(_row_type(tuple(name for name, *_ in result.description))._make, result.fetchall()))


@functools.cache
def _row_type(fields: tuple[str, ...]) -> type:
    """The named tuple class of a query's columns, made once: a class sits in reference cycles, which only the
    collector frees, and a batch pauses it (load.collector_paused)."""
    return namedtuple("Row", fields)  # noqa: PYI024 - its fields are the query's


_debit_key = operator.attrgetter("provider_agb", "allocation_number", "product_code", "period_start")


def _mirror(line: Any) -> tuple:
    """What a credit must repeat of its debit: municipality, client, key and amount."""
    return (line.municipality_code, line.client_key, _debit_key(line), abs(line.amount_cents))


def apply_declaration_history(con: duckdb.DuckDBPyConnection, batch: list[ParsedFile]) -> None:
    """TR314, TR389 and CD060 on the batch's JW323 lines.

    A credit mirrors the debit it cancels (same allocation, product and period), so the batch's providers and product
    periods bound every earlier line a rule can refer to; the references are read back apart, for TR314.
    """
    references: set[tuple[str, str]] = set()  # (provider_agb, reference_number) of every accepted line
    debits: dict[tuple[str, str], tuple] = {}  # (provider_agb, reference_number) of an accepted debit -> its mirror
    credited: set[tuple[str, str]] = set()
    open_debits: dict[tuple, str] = {}  # debit key -> where its one uncredited debit is, for a TR389 rejection

    def check(line: Any, _path: str) -> tuple[str, str] | None:
        previous, target = line.previous_reference_number, (line.provider_agb, line.previous_reference_number)
        if (line.provider_agb, line.reference_number) in references:
            return "TR314", f"ReferentieNummer {line.reference_number} was delivered before"
        if line.debit_credit != "C":
            if _debit_key(line) not in open_debits:
                return None
            return "TR389", (
                f"allocation {line.allocation_number}, product {line.product_code}, period {line.period_start} "
                f"already has an uncredited debit: {open_debits[_debit_key(line)]}"
            )
        if previous is None:
            return "CD060", "a credit line lacks VorigReferentieNummer"
        if target not in debits:
            return "CD060", f"credit names {previous}, which is no accepted debit of this provider"
        if target in credited:
            return "CD060", f"debit {previous} was already credited"
        if debits[target] != _mirror(line):
            mirrored = "municipality, client, allocation, product, period and amount"
            return "CD060", f"credit does not mirror debit {previous} ({mirrored})"
        return None

    def take_effect(line: Any, path: str) -> None:
        own = (line.provider_agb, line.reference_number)
        references.add(own)
        if line.debit_credit == "C":
            credited.add((line.provider_agb, line.previous_reference_number))
            open_debits.pop(_debit_key(line), None)  # an accepted credit has its debit's key
        else:
            debits[own] = _mirror(line)
            if own not in credited:
                place = record_place(line.source_line, line.source_record)
                open_debits[_debit_key(line)] = f"ReferentieNummer {line.reference_number} in {path} {place}"

    table = "raw.ijw_declaration_lines"
    reused = _known(
        con, table, "provider_agb, reference_number", batch, provider_agb="varchar", reference_number="varchar"
    )
    references.update((row.provider_agb, row.reference_number) for row in reused)
    columns = "provider_agb, reference_number, previous_reference_number, debit_credit, municipality_code, client_key, "
    columns += "allocation_number, product_code, period_start, amount_cents, source_line, source_record"
    rows = _known(con, table, columns, batch, provider_agb="varchar", period_start="date")
    # Credits first, so that a debit read back after its credit is not counted as open.
    history = sorted(rows, key=lambda row: row.debit_credit != "C")
    credits_first = lambda line: (line.debit_credit != "C", line.source_record)  # noqa: E731
    _judge(batch, "Prestatie", check, take_effect, history, named_by="reference_number", order=credits_first)


_OWNER = ("municipality_code", "provider_agb", "client_key", "product_category", "product_code")
_owner = operator.attrgetter(*_OWNER)  # whose an allocation is, and whose a start claims it to be
_ALLOCATIONS = ("raw.ijw_allocations", f"allocation_number, {', '.join(_OWNER)}, allocated_on, valid_from, valid_to")


def apply_allocation_history(con: duckdb.DuckDBPyConnection, batch: list[ParsedFile]) -> None:
    """TR332 on the batch's JW301 allocations."""
    owners: dict[int, tuple] = {}

    def check(allocation: Any, _path: str) -> tuple[str, str] | None:
        owner = owners.get(allocation.allocation_number, _owner(allocation))
        if owner == _owner(allocation):
            return None
        number = allocation.allocation_number
        return "TR332", f"ToewijzingNummer {number} already names an allocation {_differences(owner, allocation)}"

    def take_effect(allocation: Any, _path: str) -> None:
        owners.setdefault(allocation.allocation_number, _owner(allocation))

    _judge(
        batch, "ToegewezenProduct", check, take_effect, _known(con, *_ALLOCATIONS, batch, allocation_number="bigint")
    )


def _differences(owner: tuple, record: Any) -> str:
    """What differs between an accepted allocation and a record claiming it; never the client's key itself."""
    labels = ("municipality", "provider", "client", "product category", "product code")
    named = []
    for label, known, claimed in zip(labels, owner, _owner(record), strict=True):
        if known != claimed:
            named.append(f"of another {label}" if label == "client" else f"of {label} {known} (not {claimed})")
    return ", ".join(named)


def apply_start_history(con: duckdb.DuckDBPyConnection, batch: list[ParsedFile]) -> None:
    """TR019 and START_OUTSIDE_ALLOCATION on the batch's JW305 starts, then WITHDRAWAL_WITHOUT_DELIVERY."""
    versions: dict[int, list] = {}
    for version in _known(con, *_ALLOCATIONS, batch, allocation_number="bigint"):
        versions.setdefault(version.allocation_number, []).append(version)
    _judge(batch, "StartProduct", lambda event, _path: _start_rejection(event, versions))
    _withdrawal_rule(con, batch, "raw.ijw_start_events", "StartProduct")


def _start_rejection(event: Any, versions: dict[int, list]) -> tuple[str, str] | None:
    if event.delivery_status == WITHDRAWAL:
        return None
    if event.allocation_number is None:
        return "TR019", "names no ToewijzingNummer, so it belongs to no allocation"
    known = versions.get(event.allocation_number, [])
    if not known:
        return "TR019", f"allocation {event.allocation_number} has no accepted JW301"
    owned = [version for version in known if _owner(version) == _owner(event)]
    if not owned:
        return "TR019", f"allocation {event.allocation_number} is {_differences(_owner(known[0]), event)}"
    if event.allocation_valid_from is not None:
        owned = [version for version in owned if version.valid_from == event.allocation_valid_from]
        if not owned:
            return "TR019", (
                f"allocation {event.allocation_number} has no version with Ingangsdatum {event.allocation_valid_from}"
            )
    day = event.start_date
    if not any(v.valid_from <= day and (v.valid_to is None or day <= v.valid_to) for v in owned):
        periods = "; ".join(
            f"allocated {v.allocated_on}, valid {v.valid_from} to {v.valid_to or 'open'}" for v in owned
        )
        return "START_OUTSIDE_ALLOCATION", (
            f"Begindatum {day} lies outside allocation {event.allocation_number} ({periods})"
        )
    return None


_event_key = operator.attrgetter("provider_agb", "client_key", "allocation_number", "product_code", "start_date")
_EVENTS = "provider_agb, client_key, allocation_number, product_code, start_date, delivery_status, message_date, "
_EVENTS += "source_line, source_record"
_EVENT_KEYS = {"provider_agb": "varchar", "allocation_number": "bigint"}


def _withdrawal_rule(con: duckdb.DuckDBPyConnection, batch: list[ParsedFile], table: str, label: str) -> None:
    """WITHDRAWAL_WITHOUT_DELIVERY, in the order dbt applies withdrawals in: message date, file path, line, record."""
    first_sent: dict[tuple, tuple] = {}

    def sent(event: Any, path: str) -> tuple:
        return (event.message_date, path, event.source_line, event.source_record)

    def take_effect(event: Any, path: str) -> None:
        if event.delivery_status != WITHDRAWAL:
            key, when = _event_key(event), sent(event, path)
            first_sent[key] = min(first_sent.get(key, when), when)

    def check(event: Any, path: str) -> tuple[str, str] | None:
        when = sent(event, path)
        if event.delivery_status != WITHDRAWAL or first_sent.get(_event_key(event), when) < when:
            return None
        return "WITHDRAWAL_WITHOUT_DELIVERY", (
            f"withdraws (StatusAanlevering 3) a {label.lower()} that was never delivered before it (same "
            "provider, client, allocation, product and Begindatum, an earlier Dagtekening, or the same one in an "
            "earlier file or record)"
        )

    _judge(batch, label, check, take_effect, _known(con, table, _EVENTS, batch, **_EVENT_KEYS))


def apply_stop_history(con: duckdb.DuckDBPyConnection, batch: list[ParsedFile]) -> None:
    """STOP_WITHOUT_START on the batch's JW307 stops, then WITHDRAWAL_WITHOUT_DELIVERY."""
    rows = _known(con, "raw.ijw_start_events", _EVENTS, batch, **_EVENT_KEYS)
    started = {_event_key(row) for row in rows if row.delivery_status != WITHDRAWAL}

    def check(event: Any, _path: str) -> tuple[str, str] | None:
        if _event_key(event) in started:
            return None
        return "STOP_WITHOUT_START", (
            f"allocation {event.allocation_number} product {event.product_code} has no accepted start (JW305) on "
            f"{event.start_date} from this provider for this client"
        )

    _judge(batch, "StopProduct", check)
    _withdrawal_rule(con, batch, "raw.ijw_stop_events", "StopProduct")

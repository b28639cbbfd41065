"""JW305 start zorg (BerichtCode 438) and JW307 stop zorg (440): one StartProduct / StopProduct per row.

StatusAanlevering (COD467) 3 withdraws an earlier delivery with the same allocation, product and Begindatum; the
withdrawal is kept as a row of its own and applied in dbt (int_care_episodes_applied).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from orchestration.ijw.allocations import product_texts
from orchestration.ijw.reader import MessageSpec, in_message
from orchestration.warehouse.record_rules import RecordRules, Rules

_DELIVERY_STATUSES = ("1", "2", "3")  # COD467; 9 (ongewijzigd) does not occur in start/stop messages
JEUGDWET_START = dt.date(2015, 1, 1)
"""No youth care under the Jeugdwet began before it; dim_date, which every trajectory date must be in, starts here."""


def care_date(rules: Rules, text: str, label: str) -> str:
    """A Begindatum or Einddatum of care: it happened under the Jeugdwet, and not after today (a start or stop
    reports what has happened; CBS takes an end only once it has, not as planned)."""
    rules.required(text, label)
    date = rules.date(text, label)
    rules.add(
        f"{date} < date '{JEUGDWET_START}'",
        "DATE_OUT_OF_RANGE",
        f"'{label} ' || {date} || ' precedes the Jeugdwet ({JEUGDWET_START})'",
    )
    rules.add(f"{date} > $today", "FUTURE_DATE", f"'{label} ' || {date} || ' is after today (' || $today || ')'")
    return date


@dataclass(frozen=True)
class CareEvent:
    client_key: str
    municipality_code: str
    provider_agb: str
    message_id: str
    message_date: dt.date
    allocation_number: int | None
    product_category: str | None
    product_code: str | None
    allocation_valid_from: dt.date | None
    start_date: dt.date
    end_date: dt.date | None
    end_reason_code: str | None
    delivery_status: str
    source_line: int
    source_record: int

    @property
    def record_ref(self) -> str:
        return f"toewijzing {self.allocation_number} start {self.start_date}"


def _spec(message_type: str, berichtcode: str, record_tag: str, is_stop: bool) -> MessageSpec:
    m = in_message(message_type)

    def rules(rules: Rules) -> None:
        rules.client()
        rules.product()
        rules.add(
            f"delivery_status is null or delivery_status not in {_DELIVERY_STATUSES}",
            "DELIVERY_STATUS_INVALID",
            "'StatusAanlevering ' || py_repr(delivery_status) || ' is not 1, 2 or 3 (COD467)'",
        )
        start = care_date(rules, "start_date", "Begindatum")
        if is_stop:
            rules.end_not_before_start(start, care_date(rules, "end_date", "Einddatum"), "Begindatum", "Einddatum")
            rules.code("end_reason_code", "codelists/jz588_end_reasons", "END_REASON_UNKNOWN", "RedenBeeindiging")
        rules.ldt_number("allocation_number", "ToewijzingNummer", guard="allocation_number is not null")
        rules.date("allocation_valid_from", "ToewijzingIngangsdatum", guard="allocation_valid_from is not null")

    stop_texts = {"end_date": m("Einddatum"), "end_reason_code": m("RedenBeeindiging")}
    return MessageSpec(
        message_type,
        berichtcode,
        record_tag,
        sent_by_municipality=False,
        records=RecordRules(
            CareEvent,
            texts={
                "allocation_number": m("ToewijzingNummer"),
                **product_texts(m("Product")),
                "delivery_status": m("StatusAanlevering"),
                "start_date": m("Begindatum"),
                **(stop_texts if is_stop else {}),
                "allocation_valid_from": m("ToewijzingIngangsdatum"),
            },
            rules=rules,
            record_ref="'toewijzing ' || coalesce(allocation_number, '?') || ' start ' || coalesce(start_date, '?')",
            period="start_date",
            # A start has neither: its rows hold them empty.
            row={} if is_stop else {name: "null" for name in stop_texts},
        ),
        identifiers=("allocation_number",),
    )


START_SPEC = _spec("JW305", "438", "StartProduct", is_stop=False)
STOP_SPEC = _spec("JW307", "440", "StopProduct", is_stop=True)

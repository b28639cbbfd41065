"""JW305 start zorg (BerichtCode 438) and JW307 stop zorg (440): one StartProduct / StopProduct per row.

StatusAanlevering (COD467) 3 withdraws an earlier delivery with the same allocation, product and Begindatum; the
withdrawal is kept as a row of its own and applied in dbt (int_care_episodes_applied).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from orchestration.ijw.allocations import (
    allocation_number,
    client_fields,
    end_not_before_start,
    product_fields,
)
from orchestration.ijw.reader import (
    Client,
    ElementFields,
    Header,
    MessageSpec,
    checked_code,
    optional_date,
    parse_date,
    required,
)
from orchestration.ijw.safe_xml import message_namespace
from orchestration.warehouse.load import RecordError

_DELIVERY_STATUSES = {"1", "2", "3"}  # COD467; 9 (ongewijzigd) does not occur in start/stop messages
JEUGDWET_START = dt.date(2015, 1, 1)
"""No youth care under the Jeugdwet began before it; dim_date, which every trajectory date must be in, starts here."""


def care_date(value: str | None, label: str) -> dt.date:
    """A Begindatum or Einddatum of care: it happened under the Jeugdwet, and not after today (a start or stop
    reports what has happened; CBS takes an end only once it has, not as planned)."""
    date = parse_date(required(value, label), label)
    if date < JEUGDWET_START:
        raise RecordError("DATE_OUT_OF_RANGE", f"{label} {date} precedes the Jeugdwet ({JEUGDWET_START})")
    today = dt.date.today()
    if date > today:
        raise RecordError("FUTURE_DATE", f"{label} {date} is after today ({today})")
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
    source_record: int  # ElementFields.source_columns

    @property
    def record_ref(self) -> str:
        return f"toewijzing {self.allocation_number} start {self.start_date}"


def _spec(message_type: str, berichtcode: str, record_tag: str, is_stop: bool) -> MessageSpec:
    namespace = message_namespace(message_type)

    def m(local: str) -> str:
        return f"{{{namespace}}}{local}"

    allocation_tag, start_tag = m("ToewijzingNummer"), m("Begindatum")

    def parse(record: ElementFields, header: Header, client: Client) -> CareEvent:
        client_key = client_fields(client)[0]
        product = product_fields(record, m("Product"))
        allocation = record.get(allocation_tag)
        status = record.get(m("StatusAanlevering"))
        if status not in _DELIVERY_STATUSES:
            raise RecordError("DELIVERY_STATUS_INVALID", f"StatusAanlevering {status!r} is not 1, 2 or 3 (COD467)")
        start = care_date(record.get(start_tag), "Begindatum")
        end = care_date(record.get(m("Einddatum")), "Einddatum") if is_stop else None
        end_not_before_start(start, end, "Begindatum", "Einddatum")
        end_reason = (
            checked_code(
                record.get(m("RedenBeeindiging")),
                "codelists/jz588_end_reasons",
                "END_REASON_UNKNOWN",
                "RedenBeeindiging",
            )
            if is_stop
            else None
        )
        number = None if allocation is None else allocation_number(allocation)
        valid_from = optional_date(record.get(m("ToewijzingIngangsdatum")), "ToewijzingIngangsdatum")
        return CareEvent(
            client_key=client_key,
            municipality_code=header.municipality_code,
            provider_agb=header.provider_agb,
            message_id=header.message_id,
            message_date=header.message_date,
            allocation_number=number,
            **product,
            allocation_valid_from=valid_from,
            start_date=start,
            end_date=end,
            end_reason_code=end_reason,
            delivery_status=status,
            **record.source_columns(),
        )

    return MessageSpec(
        message_type,
        berichtcode,
        record_tag,
        sent_by_municipality=False,
        parse_record=parse,
        record_ref_fields=(("toewijzing", allocation_tag), ("start", start_tag)),
        identifier_fields=(allocation_tag,),
        period_field=start_tag,
    )


START_SPEC = _spec("JW305", "438", "StartProduct", is_stop=False)
STOP_SPEC = _spec("JW307", "440", "StopProduct", is_stop=True)

"""JW315 verzoek om toewijzing (iJw 3.2, BerichtCode 446): one AangevraagdProduct becomes one ReferralRequest.

The referrer (Verwijzer, COD327) exists only here; an allocation answering this request (same provider, client and
ReferentieAanbieder) takes it. The request date is the message's Dagtekening. The referrer's name is not read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from orchestration.ijw.allocations import (
    ClientRecord,
    budget_cents,
    client_record_columns,
    end_not_before_start,
    ldt_number,
    product_fields,
    volume_fields,
)
from orchestration.ijw.reader import (
    Client,
    ElementFields,
    Header,
    MessageSpec,
    b,
    checked_code,
    optional_date,
    parse_date,
)
from orchestration.ijw.safe_xml import message_namespace
from orchestration.warehouse.load import RecordError

_NS = message_namespace("JW315")


def _m(local: str) -> str:
    return f"{{{_NS}}}{local}"


@dataclass(frozen=True)
class ReferralRequest(ClientRecord):
    requested_on: dt.date
    provider_reference: str
    decision_number: int | None
    product_category: str | None
    product_code: str | None
    requested_valid_from: dt.date
    requested_valid_to: dt.date | None
    volume: int | None
    unit_code: str | None
    frequency_code: str | None
    budget_cents: int | None
    referrer_type_code: str
    referrer_agb: str | None
    source_line: int
    source_record: int  # ElementFields.source_columns

    @property
    def record_ref(self) -> str:
        return f"referentie {self.provider_reference}"


_REFERRER = _m("Verwijzer")
_REFERRER_TYPE, _REFERRER_AGB = (_REFERRER, b("Type")), (_REFERRER, b("ZorgverlenerCode"))


def _parse(record: ElementFields, header: Header, client: Client) -> ReferralRequest:
    client_columns = client_record_columns(client, header)
    reference = record.get(_m("ReferentieAanbieder"))
    if not reference:
        raise RecordError("LINE_INCOMPLETE", "ReferentieAanbieder is missing")
    product = product_fields(record, _m("Product"))
    volume = volume_fields(record, _m("Omvang"))
    referrer_type = checked_code(
        record.get(_REFERRER_TYPE), "codelists/cod327_referrer_types", "REFERRER_TYPE_UNKNOWN", "Verwijzer Type"
    )
    referrer_agb = record.get(_REFERRER_AGB)
    if referrer_agb is not None and not (len(referrer_agb) == 8 and referrer_agb.isascii() and referrer_agb.isdigit()):
        raise RecordError(
            "REFERRER_AGB_INVALID", f"Verwijzer ZorgverlenerCode {referrer_agb!r} is not 8 digits (LDT_AgbCode)"
        )
    valid_from = parse_date(record.get(_m("ToewijzingIngangsdatum")), "ToewijzingIngangsdatum")
    valid_to = optional_date(record.get(_m("ToewijzingEinddatum")), "ToewijzingEinddatum")
    end_not_before_start(valid_from, valid_to, "ToewijzingIngangsdatum", "ToewijzingEinddatum")
    decision = record.get(_m("BeschikkingNummer"))
    decision_number = None if decision is None else ldt_number(decision, "BeschikkingNummer", low=0)
    budget = budget_cents(record.get(_m("Budget")))
    return ReferralRequest(
        **client_columns,
        requested_on=header.message_date,
        provider_reference=reference,
        decision_number=decision_number,
        **product,
        requested_valid_from=valid_from,
        requested_valid_to=valid_to,
        **volume,
        budget_cents=budget,
        referrer_type_code=referrer_type,
        referrer_agb=referrer_agb,
        **record.source_columns(),
    )


SPEC = MessageSpec(
    "JW315",
    "446",
    "AangevraagdProduct",
    sent_by_municipality=False,
    parse_record=_parse,
    record_ref_fields=(("referentie", _m("ReferentieAanbieder")),),
    identifier_fields=(
        _m("ReferentieAanbieder"),
        _m("BeschikkingNummer"),
        _REFERRER_AGB,
        (_m("Omvang"), b("Frequentie")),
    ),
    period_field=_m("ToewijzingIngangsdatum"),
)

"""JW315 verzoek om toewijzing (iJw 3.2, BerichtCode 446): one AangevraagdProduct becomes one ReferralRequest.

The referrer (Verwijzer, COD327) exists only here; an allocation answering this request (same provider, client and
ReferentieAanbieder) takes it. The request date is the message's Dagtekening. The referrer's name is not read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from orchestration.ijw.allocations import (
    budget_cents,
    client_fields,
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
    ParsedFile,
    RecordError,
    b,
    checked_code,
    optional_date,
    parse_date,
)
from orchestration.ijw.safe_xml import message_namespace

_NS = message_namespace("JW315")


def _m(local: str) -> str:
    return f"{{{_NS}}}{local}"


@dataclass(frozen=True)
class ReferralRequest:
    client_key: str
    birth_year: int | None
    birth_month: int | None
    gender_code: str | None
    municipality_code: str
    provider_agb: str
    message_id: str
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
    source_record: int
    """The record's 1-based position among its file's records: with the file, what tells it apart and orders it
    (source_line does not, in a message written on one line)."""

    @property
    def record_ref(self) -> str:
        return f"referentie {self.provider_reference}"


_REFERRER = _m("Verwijzer")
_REFERRER_TYPE, _REFERRER_AGB = (_REFERRER, b("Type")), (_REFERRER, b("ZorgverlenerCode"))


def _record_ref(record: ElementFields, _parsed: ParsedFile) -> str:
    return f"referentie {record.get(_m('ReferentieAanbieder')) or '?'}"


def _parse(record: ElementFields, header: Header, client: Client, _parsed: ParsedFile) -> ReferralRequest:
    client_key, birth_year, birth_month, gender = client_fields(client)
    reference = record.get(_m("ReferentieAanbieder"))
    if not reference:
        raise RecordError("LINE_INCOMPLETE", "ReferentieAanbieder is missing")
    category, code = product_fields(record, _m("Product"))
    volume, unit, frequency = volume_fields(record, _m("Omvang"))
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
        client_key=client_key,
        birth_year=birth_year,
        birth_month=birth_month,
        gender_code=gender,
        municipality_code=header.municipality_code,
        provider_agb=header.provider_agb,
        message_id=header.message_id,
        requested_on=header.message_date,
        provider_reference=reference,
        decision_number=decision_number,
        product_category=category,
        product_code=code,
        requested_valid_from=valid_from,
        requested_valid_to=valid_to,
        volume=volume,
        unit_code=unit,
        frequency_code=frequency,
        budget_cents=budget,
        referrer_type_code=referrer_type,
        referrer_agb=referrer_agb,
        source_line=record.sourceline,
        source_record=record.source_record,
    )


SPEC = MessageSpec(
    message_type="JW315",
    berichtcode="446",
    record_tag="AangevraagdProduct",
    sent_by_municipality=False,
    parse_record=_parse,
    record_ref=_record_ref,
    identifier_fields=(
        _m("ReferentieAanbieder"),
        _m("BeschikkingNummer"),
        _REFERRER_AGB,
        (_m("Omvang"), b("Frequentie")),
    ),
)

"""JW315 verzoek om toewijzing (iJw 3.2, BerichtCode 446): one AangevraagdProduct becomes one ReferralRequest.

The referrer (Verwijzer, COD327) exists only here; an allocation answering this request (same provider, client and
ReferentieAanbieder) takes it. The request date is the message's Dagtekening. The referrer's name is not read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from orchestration.ijw.allocations import (
    CLIENT_RECORD_ROW,
    MAX_BUDGET_CENTS,
    MAX_VOLUME,
    PRODUCT_ROW,
    SOURCE_ROW,
    VOLUME_ROW,
    ClientRecord,
    product_texts,
    volume_texts,
)
from orchestration.ijw.reader import MessageSpec, b
from orchestration.ijw.safe_xml import message_namespace
from orchestration.warehouse.record_rules import RecordRules, Rules

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


def _rules(rules: Rules) -> None:
    rules.client()
    rules.required("reference", "ReferentieAanbieder")
    rules.product()
    rules.volume(MAX_VOLUME)
    rules.code("referrer_type", "codelists/cod327_referrer_types", "REFERRER_TYPE_UNKNOWN", "Verwijzer Type")
    rules.add(
        "not regexp_full_match(referrer_agb, '[0-9]{8}')",
        "REFERRER_AGB_INVALID",
        "'Verwijzer ZorgverlenerCode ' || py_repr(referrer_agb) || ' is not 8 digits (LDT_AgbCode)'",
    )
    valid_from = rules.date("valid_from", "ToewijzingIngangsdatum")
    valid_to = rules.date("valid_to", "ToewijzingEinddatum", guard="valid_to is not null")
    rules.end_not_before_start(valid_from, valid_to, "ToewijzingIngangsdatum", "ToewijzingEinddatum")
    rules.ldt_number("decision", "BeschikkingNummer", low=0, guard="decision is not null")
    rules.number("budget", "Budget", (0, MAX_BUDGET_CENTS), "AMOUNT_OUT_OF_RANGE", guard="budget is not null")


SPEC = MessageSpec(
    "JW315",
    "446",
    "AangevraagdProduct",
    sent_by_municipality=False,
    records=RecordRules(
        ReferralRequest,
        texts={
            "reference": _m("ReferentieAanbieder"),
            "decision": _m("BeschikkingNummer"),
            **product_texts(_m("Product")),
            **volume_texts(_m("Omvang")),
            "referrer_type": (_REFERRER, b("Type")),
            "referrer_agb": (_REFERRER, b("ZorgverlenerCode")),
            "valid_from": _m("ToewijzingIngangsdatum"),
            "valid_to": _m("ToewijzingEinddatum"),
            "budget": _m("Budget"),
        },
        rules=_rules,
        row={
            **CLIENT_RECORD_ROW,
            "requested_on": "message_date",
            "provider_reference": "reference",
            "decision_number": "decision_value::bigint",
            **PRODUCT_ROW,
            "requested_valid_from": "valid_from_date",
            "requested_valid_to": "valid_to_date",
            **VOLUME_ROW,
            "budget_cents": "budget_value::bigint",
            "referrer_type_code": "referrer_type",
            "referrer_agb": "referrer_agb",
            **SOURCE_ROW,
        },
        record_ref=(("referentie", "reference"),),
        period="valid_from",
    ),
    identifier_fields=(
        _m("ReferentieAanbieder"),
        _m("BeschikkingNummer"),
        (_REFERRER, b("ZorgverlenerCode")),
        (_m("Omvang"), b("Frequentie")),
    ),
)

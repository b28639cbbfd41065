"""JW315 verzoek om toewijzing (iJw 3.2, BerichtCode 446): one AangevraagdProduct becomes one ReferralRequest.

The referrer (Verwijzer, COD327) exists only here; an allocation answering this request (same provider, client and
ReferentieAanbieder) takes it. The request date is the message's Dagtekening. The referrer's name is not read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from orchestration.ijw.allocations import (
    BIRTH_ROW,
    MAX_BUDGET_CENTS,
    MAX_VOLUME,
    ClientRecord,
    product_texts,
    volume_texts,
)
from orchestration.ijw.reader import MessageSpec, b, in_message
from orchestration.warehouse.record_rules import RecordRules, Rules

_m = in_message("JW315")


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
    source_record: int

    @property
    def record_ref(self) -> str:
        return f"referentie {self.provider_reference}"


_REFERRER = _m("Verwijzer")


def _rules(rules: Rules) -> None:
    rules.client()
    rules.required("provider_reference", "ReferentieAanbieder")
    rules.product()
    rules.volume(MAX_VOLUME)
    rules.code("referrer_type_code", "codelists/cod327_referrer_types", "REFERRER_TYPE_UNKNOWN", "Verwijzer Type")
    rules.add(
        "not regexp_full_match(referrer_agb, '[0-9]{8}')",
        "REFERRER_AGB_INVALID",
        "'Verwijzer ZorgverlenerCode ' || py_repr(referrer_agb) || ' is not 8 digits (LDT_AgbCode)'",
    )
    valid_from = rules.date("requested_valid_from", "ToewijzingIngangsdatum")
    valid_to = rules.date("requested_valid_to", "ToewijzingEinddatum", guard="requested_valid_to is not null")
    rules.end_not_before_start(valid_from, valid_to, "ToewijzingIngangsdatum", "ToewijzingEinddatum")
    rules.ldt_number("decision_number", "BeschikkingNummer", low=0, guard="decision_number is not null")
    rules.number(
        "budget_cents", "Budget", (0, MAX_BUDGET_CENTS), "AMOUNT_OUT_OF_RANGE", guard="budget_cents is not null"
    )


SPEC = MessageSpec(
    "JW315",
    "446",
    "AangevraagdProduct",
    sent_by_municipality=False,
    records=RecordRules(
        ReferralRequest,
        texts={
            "provider_reference": _m("ReferentieAanbieder"),
            "decision_number": _m("BeschikkingNummer"),
            **product_texts(_m("Product")),
            **volume_texts(_m("Omvang")),
            "referrer_type_code": (_REFERRER, b("Type")),
            "referrer_agb": (_REFERRER, b("ZorgverlenerCode")),
            "requested_valid_from": _m("ToewijzingIngangsdatum"),
            "requested_valid_to": _m("ToewijzingEinddatum"),
            "budget_cents": _m("Budget"),
        },
        rules=_rules,
        record_ref="'referentie ' || coalesce(provider_reference, '?')",
        period="requested_valid_from",
        row={**BIRTH_ROW, "requested_on": "message_date"},
    ),
    identifiers=("provider_reference", "decision_number", "referrer_agb", "frequency_code"),
)

"""JW301 toewijzing (iJw 3.2, BerichtCode 436): one ToegewezenProduct becomes one Allocation.

From the client only the pseudonym, birth year and month, and gender are kept; names, addresses, contact data and
relations are never read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from orchestration.ijw.reader import MessageSpec, b, in_message
from orchestration.warehouse.record_rules import RecordRules, Rules

# The ranges of the raw tables' suites for volume and budget (LDT_Volume, LDT_Budget): up to 99,999,999.
MAX_VOLUME = MAX_BUDGET_CENTS = 99_999_999

_m = in_message("JW301")


@dataclass(frozen=True)
class ClientRecord:
    """The leading columns of a record about one client (JW301, JW315): who the client is and which message said so.
    Subclass fields follow these, so the raw tables keep this order."""

    client_key: str
    birth_year: int | None
    birth_month: int | None
    gender_code: str | None
    municipality_code: str
    provider_agb: str
    message_id: str


@dataclass(frozen=True)
class Allocation(ClientRecord):
    message_date: dt.date
    allocation_number: int
    provider_reference: str | None
    product_category: str | None
    product_code: str | None
    allocated_on: dt.date
    valid_from: dt.date
    valid_to: dt.date | None
    change_reason_code: str | None
    volume: int | None
    unit_code: str | None
    frequency_code: str | None
    budget_cents: int | None
    source_line: int
    source_record: int

    @property
    def record_ref(self) -> str:
        return f"toewijzing {self.allocation_number}"


def product_texts(tag: str) -> dict[str, Any]:
    """The texts of a CDT_Product (record_rules.Rules.product)."""
    return {"has_product": tag, "product_category": (tag, b("Categorie")), "product_code": (tag, b("Code"))}


def volume_texts(tag: str) -> dict[str, Any]:
    """The texts of a CDT_Omvang (record_rules.Rules.volume)."""
    texts = {"volume": (tag, b("Volume")), "unit_code": (tag, b("Eenheid")), "frequency_code": (tag, b("Frequentie"))}
    return {"has_volume": tag, **texts}


BIRTH_ROW = {"birth_year": "year(birth_date)", "birth_month": "month(birth_date)"}
"""The ClientRecord fields not stored as read: the Client's birth date as year and month."""


def _rules(rules: Rules) -> None:
    rules.client()
    rules.required("allocation_number", "ToewijzingNummer")
    rules.ldt_number("allocation_number", "ToewijzingNummer")
    rules.product()
    rules.volume(MAX_VOLUME)
    valid_from = rules.date("valid_from", "Ingangsdatum")
    valid_to = rules.date("valid_to", "Einddatum", guard="valid_to is not null")
    rules.end_not_before_start(valid_from, valid_to, "Ingangsdatum", "Einddatum")
    rules.date("allocated_on", "Toewijzingsdatum")
    budget = "budget_cents"
    rules.number(budget, "Budget", (0, MAX_BUDGET_CENTS), "AMOUNT_OUT_OF_RANGE", guard=f"{budget} is not null")


SPEC = MessageSpec(
    "JW301",
    "436",
    "ToegewezenProduct",
    sent_by_municipality=True,
    records=RecordRules(
        Allocation,
        texts={
            "allocation_number": _m("ToewijzingNummer"),
            "provider_reference": _m("ReferentieAanbieder"),
            **product_texts(_m("Product")),
            **volume_texts(_m("Omvang")),
            "valid_from": _m("Ingangsdatum"),
            "valid_to": _m("Einddatum"),
            "allocated_on": _m("Toewijzingsdatum"),
            "change_reason_code": _m("RedenWijziging"),
            "budget_cents": _m("Budget"),
        },
        rules=_rules,
        record_ref="'toewijzing ' || coalesce(allocation_number, '?')",
        period="valid_from",
        row=BIRTH_ROW,
    ),
    # RedenWijziging and Frequentie are stored as sent, unchecked against their code lists: a BSN there is kept out too.
    identifiers=("allocation_number", "provider_reference", "change_reason_code", "frequency_code"),
)

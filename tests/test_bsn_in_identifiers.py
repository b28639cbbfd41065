"""A client's BSN written into a free identifier (issue 26): providers and municipalities sometimes use it as their own
reference. At the door it becomes its keyed pseudonym in every message type, so no BSN reaches
any column of any table, while the links it made (credit to debit, allocation to request, stop to start) still hold.

The messages are the official iJw examples (JW301, JW305, JW307, JW315) and hand-written JW323s, with BSNs put into
each identifier they carry; the expected pseudonym is computed here from its definition (HMAC-SHA256 of the BSN under
the key, the first 64 bits taken modulo 9 x 10^17, plus 10^17), not by the product's code.
"""

from __future__ import annotations

import hmac
from pathlib import Path

import pytest

from orchestration.ijw.pseudonym import Pseudonymiser
from orchestration.warehouse.ijw_messages import IJW_INGESTS
from tests.ijw_landing import ingest_landing
from tests.jw323_documents import client, document, prestatie
from tests.test_message_readers import EXAMPLES

KEY = b"bsn-in-identifiers-key-0123456789"
PSEUDONYMISER = Pseudonymiser(KEY)

CLIENT_BSN = "999900006"  # the examples' client; the provider uses it as its JW323 reference
REQUEST_REFERENCE_BSN = "999990007"  # JW315 and JW301 ReferentieAanbieder
ALLOCATION_BSN = "999990020"  # ToewijzingNummer in JW301, JW305, JW307 and JW323
DECISION_BSN = "999990044"  # JW315 BeschikkingNummer
REFERRER_BSN = "999990056"  # JW315 Verwijzer ZorgverlenerCode
MESSAGE_ID_BSN = "999990068"  # BerichtIdentificatie/Identificatie
DECLARATION_BSN = "999990081"  # DeclaratieNummer
PRODUCT_CODE_BSN = "999990093"  # a ProductCode: quarantined, and its reason quotes the value
SENDER_BSN = "999990111"  # a JW323 Afzender: quarantined, and its reason quotes the value
COMMENT_BSN = "999990123"  # Commentaar, never read
CODE_BSN = "999990135"  # JW301 Frequentie and the client's Geslacht: stored as sent, unchecked
EVERY_BSN = (
    CLIENT_BSN,
    REQUEST_REFERENCE_BSN,
    ALLOCATION_BSN,
    DECISION_BSN,
    REFERRER_BSN,
    MESSAGE_ID_BSN,
    DECLARATION_BSN,
    PRODUCT_CODE_BSN,
    SENDER_BSN,
    COMMENT_BSN,
    CODE_BSN,
)


def pseudonym(bsn: str) -> str:
    digest = hmac.digest(KEY, bsn.encode(), "sha256").hex()
    return str(10**17 + int(digest[:16], 16) % (9 * 10**17))


def example(name: str, *replacements: tuple[str, str]) -> bytes:
    if not EXAMPLES.exists():
        pytest.skip(f"iJw 3.2 example messages not found in {EXAMPLES} (they come with ../shared/reference)")
    text = (EXAMPLES / name).read_text(encoding="utf-8")
    # Listed product codes and a date that exists, as in tests/test_message_readers.py.
    for old, new in (("55A11", "45A04"), ("55A12", "45A48"), (">55<", ">45<"), ("2027-06-31", "2027-06-30")):
        text = text.replace(old, new)
    text = text.replace("123456789012", MESSAGE_ID_BSN).replace("300201", ALLOCATION_BSN)
    for old, new in replacements:
        assert old in text, (name, old)
        text = text.replace(old, new)
    return text.encode()


def jw323(number: str, *lines, sender: str = "42420001") -> bytes:
    text = document(client(CLIENT_BSN, *lines), ontvanger="0384", period=("2026-04-01", "2026-04-30"))
    text = text.replace("<jw323:Afzender>98000011<", f"<jw323:Afzender>{sender}<")
    text = text.replace("<ijw:Identificatie>T1<", f"<ijw:Identificatie>{MESSAGE_ID_BSN}<")
    return text.replace("<jw323:DeclaratieNummer>DT01<", f"<jw323:DeclaratieNummer>{number}<").encode()


APRIL = ("2026-04-01", "2026-04-30")


def landing_files() -> dict[str, bytes]:
    debit = prestatie(CLIENT_BSN, 5000, allocation=int(ALLOCATION_BSN), period=APRIL)
    others = [prestatie(f"R{n}", 1000 + n, allocation=700000 + n, period=APRIL) for n in range(6)]
    credit = prestatie(
        "C1", 5000, debit_credit="C", previous_reference=CLIENT_BSN, allocation=int(ALLOCATION_BSN), period=APRIL
    )
    return {
        "a_jw315.xml": example(
            "JW315.xml",
            ("40A12341234", REQUEST_REFERENCE_BSN),
            ("<jw315:BeschikkingNummer>123<", f"<jw315:BeschikkingNummer>{DECISION_BSN}<"),
            ("12345678", REFERRER_BSN),
            ("Client Commentaar", COMMENT_BSN),
        ),
        "b_jw301.xml": example(
            "JW301.xml",
            ("40A12341234", REQUEST_REFERENCE_BSN),
            ("Commentaar client", COMMENT_BSN),
            ("<ijw:Frequentie>2<", f"<ijw:Frequentie>{CODE_BSN}<"),
        ),
        # The start and stop of the JW301's own provider and gemeente (the examples name others: TR019).
        "c_jw305.xml": example(
            "JW305.xml", ("<jw305:Afzender>65656055<", "<jw305:Afzender>42420001<"), ("0363<", "0384<")
        ),
        "d_jw307.xml": example(
            "JW307.xml", ("<jw307:Afzender>65656055<", "<jw307:Afzender>42420001<"), ("0363<", "0384<")
        ),
        "e_jw323.xml": jw323(DECLARATION_BSN, debit, *others),
        "f_jw323_credit.xml": jw323("DT02", credit),
        "g_jw323_code.xml": jw323("DT03", prestatie("R9", 4000, product_code=PRODUCT_CODE_BSN, period=APRIL)),
        "h_jw323_sender.xml": jw323("DT04", prestatie("R8", 4000, period=APRIL), sender=SENDER_BSN),
    }


@pytest.fixture
def loaded(warehouse, tmp_path: Path):
    landing = tmp_path / "landing"
    (landing / "ijw").mkdir(parents=True)
    files = landing_files()
    for name, content in files.items():
        (landing / "ijw" / name).write_bytes(content)
    for ingest in IJW_INGESTS:
        ingest_landing(warehouse, ingest, landing, PSEUDONYMISER, "bsn-run")
    return warehouse


def test_no_bsn_reaches_any_column_of_any_table(loaded):
    tables = loaded.execute("select table_schema || '.' || table_name from information_schema.tables").fetchall()
    assert len(tables) >= 8
    for (table,) in tables:
        dump = repr(loaded.execute(f"select * from {table}").fetchall())  # noqa: S608 - names from the catalog
        leaked = [bsn for bsn in EVERY_BSN if bsn in dump]
        assert not leaked, f"{leaked} in {table}"
    # Only the file with a BSN for a sender, the line with a BSN for a product code and the request with a BSN for
    # its referrer's AGB code are quarantined, under reasons that quote no BSN (the scan above read them).
    assert loaded.execute("select reason_code from audit.quarantine order by all").fetchall() == [
        ("HEADER_INVALID",),
        ("PRODUCT_CODE_UNKNOWN",),
        ("REFERRER_AGB_INVALID",),
    ]


def test_the_pseudonyms_keep_every_link_a_bsn_made(loaded):
    allocation = int(pseudonym(ALLOCATION_BSN))
    for table in ("raw.ijw_allocations", "raw.ijw_start_events", "raw.ijw_stop_events", "raw.ijw_declaration_lines"):
        numbers = {n for (n,) in loaded.execute(f"select allocation_number from {table}").fetchall()}  # noqa: S608
        assert allocation in numbers, table
    references, decisions = loaded.execute(
        "select list(provider_reference), list(distinct decision_number) from raw.ijw_referral_requests"
    ).fetchone()
    assert pseudonym(REQUEST_REFERENCE_BSN) in references
    assert decisions == [int(pseudonym(DECISION_BSN))]
    # The allocation answering the request still finds it (int_allocations_referred joins on this reference).
    answered = loaded.execute(
        "select count(*) from raw.ijw_allocations a join raw.ijw_referral_requests r using (provider_reference) "
        "where provider_reference = ?",
        [pseudonym(REQUEST_REFERENCE_BSN)],
    ).fetchone()
    assert answered == (1,)
    (message_ids,) = loaded.execute("select list(distinct message_id) from raw.ijw_allocations").fetchone()
    assert message_ids == [pseudonym(MESSAGE_ID_BSN)]
    # The credit names the debit whose reference was the client's BSN, and cancels exactly it.
    pair = loaded.execute(
        """
        select d.declaration_number, d.amount_cents + c.amount_cents
        from raw.ijw_declaration_lines d
        join raw.ijw_declaration_lines c on c.previous_reference_number = d.reference_number
        where d.reference_number = ?
        """,
        [pseudonym(CLIENT_BSN)],
    ).fetchall()
    assert pair == [(pseudonym(DECLARATION_BSN), 0)]

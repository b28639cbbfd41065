"""Hostile and broken input, one case per way a file can be wrong (issue 5).

Every case lands its files, runs the same ingest code the assets run, and asserts: the expected reason code in
audit.quarantine, on a row naming the file and (for a record-level rule) the record; no exception; and the no-data-loss
invariants, per file and in total, both as hand-computed sums and through the reconciliation check's function.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from orchestration.budgets.region_budget import MESSAGE_TYPE as BUDGET_MESSAGE_TYPE
from orchestration.cbs.datasets import KERNCIJFERS
from orchestration.ijw.pseudonym import Pseudonymiser
from orchestration.quality.reconciliation import reconcile
from orchestration.reference import municipality_regions
from orchestration.warehouse.ijw_messages import IJW_INGESTS
from tests.hostile.allocation_documents import allocation
from tests.hostile.documents import budget_csv, care_event, kerncijfer, kerncijfers_snapshot
from tests.hostile.loading import BUDGET_TABLE, ingest_cbs_or_budget, quarantine_rows, quarantined_reason
from tests.ijw_landing import ingest_landing
from tests.jw323_documents import INVALID_BSN, OTHER_VALID_BSN, VALID_BSN, client, document, prestatie

PSEUDONYM_KEY = b"hostile-test-key-0123456789"
PSEUDONYMISER = Pseudonymiser(PSEUDONYM_KEY)
GOOD = prestatie("R9", 4000)
"""A line that is right in every case: the rest of a file loads around the bad record."""


@dataclass(frozen=True)
class Case:
    id: str
    files: Callable[[], dict[str, bytes]]
    """Landing-relative path -> bytes; the culprit is the first file."""
    reason_code: str
    record_ref: str | None
    """The quarantined record's reference; None when the rule rejects the whole file."""


def jw323(*lines, **kwargs) -> bytes:
    return document(client(VALID_BSN, *lines), **kwargs).encode()


def one(name: str, content: bytes | Callable[[], bytes]) -> Callable[[], dict[str, bytes]]:
    return lambda: {f"ijw/{name}": content() if callable(content) else content}


def replaced(content: bytes, old: str, new: str) -> bytes:
    assert old.encode() in content
    return content.replace(old.encode(), new.encode())


VALID = jw323(prestatie("R1", 5000), GOOD)
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE Bericht [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Bericht xmlns="http://www.istandaarden.nl/ijw/3_2/jw323/schema">&xxe;</Bericht>"""
XXE_PARAMETER = b"""<?xml version="1.0"?>
<!DOCTYPE Bericht [<!ENTITY % remote SYSTEM "http://127.0.0.1:9/evil.dtd"> %remote;]>
<Bericht xmlns="http://www.istandaarden.nl/ijw/3_2/jw323/schema"/>"""
BILLION_LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i > 1 else "&lol;" * 10}">'.encode() for i in range(1, 10))
    + b']>\n<Bericht xmlns="http://www.istandaarden.nl/ijw/3_2/jw323/schema">&lol9;</Bericht>'
)
PLAIN_DTD = replaced(VALID, "<jw323:Bericht", "<!DOCTYPE jw323:Bericht>\n<jw323:Bericht")
_HEADER = VALID[VALID.index(b"<jw323:Header>") : VALID.index(b"</jw323:Header>") + len(b"</jw323:Header>")]
SECOND_HEADER = replaced(
    VALID, "<jw323:Clienten>", _HEADER.replace(b">98000011<", b">98000022<").decode() + "<jw323:Clienten>"
)
# A negative or overflowing line carries no readable cents, so the declared total is that of the good line (TR358).
BAD_AMOUNT_TOTAL = GOOD.signed_cents


def overflow(old: str, new: str, unit: str = "04") -> bytes:
    return replaced(jw323(prestatie("R1", 5000, unit=unit), GOOD, total=BAD_AMOUNT_TOTAL), old, new)


JW301_NS = "http://www.istandaarden.nl/ijw/3_2/jw301/schema"
_DECLARATIE = VALID[
    VALID.index(b"<jw323:Declaratie>") : VALID.index(b"</jw323:Declaratie>") + len(b"</jw323:Declaratie>")
]


def body_in(namespace_declaration: str, prefix: str) -> bytes:
    """VALID with its Declaratie (and every line) moved into another namespace, or none (prefix '')."""
    moved = _DECLARATIE.decode().replace("jw323:", prefix)
    root = (
        f'<jw323:Bericht {namespace_declaration} xmlns:jw323="'
        if namespace_declaration
        else '<jw323:Bericht xmlns:jw323="'
    )
    return replaced(replaced(VALID, _DECLARATIE.decode(), moved), '<jw323:Bericht xmlns:jw323="', root)


# A JW301 whose header is right (from gemeente 0392 to provider 98000011) carrying a JW323 Declaratie as its body.
JW323_BODY_UNDER_JW301 = (
    VALID.decode()
    .replace("jw323:", "jw301:")
    .replace("xmlns:jw323=", "xmlns:jw301=")
    .replace(jw323_ns := "http://www.istandaarden.nl/ijw/3_2/jw323/schema", JW301_NS)
    .replace(">490<", ">436<")
    .replace("<jw301:Afzender>98000011<", "<jw301:Afzender>0392<")
    .replace("<jw301:Ontvanger>0392<", "<jw301:Ontvanger>98000011<")
    .replace("<jw301:Declaratie>", f'<jw323:Declaratie xmlns:jw323="{jw323_ns}">')
    .replace("</jw301:Declaratie>", "</jw323:Declaratie>")
    .encode()
)
# The encoding declared past the first 200 bytes: libxml2 obeys it wherever it stands.
LATIN1_DECLARED_FAR = replaced(VALID, 'encoding="UTF-8"', " " * 300 + 'encoding="ISO-8859-1"')
LATIN1_DECLARED_ON_LINES = replaced(VALID, ' encoding="UTF-8"', '\n  encoding\n  =\n  "latin1"')
_TODAY = dt.date.today()
_NEXT_MONTH = (_TODAY.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
NEXT_MONTH_PERIOD = (
    _NEXT_MONTH.isoformat(),
    _NEXT_MONTH.replace(day=calendar.monthrange(_NEXT_MONTH.year, _NEXT_MONTH.month)[1]).isoformat(),
)
SIGNED_IN_THREE_DAYS = (_TODAY + dt.timedelta(days=3)).isoformat()
OCTOBER = ("2024-10-01", "2024-10-31")


def later(content: bytes, number: str = "DT02") -> bytes:
    """Another declaration of the same provider: a new DeclaratieNummer."""
    return replaced(content, "<jw323:DeclaratieNummer>DT01<", f"<jw323:DeclaratieNummer>{number}<")


def credit_of_r1(**options) -> bytes:
    """A later file crediting debit R1 (5,000 cents, 0392, VALID_BSN, September), with options changed."""
    bsn = options.pop("bsn", VALID_BSN)
    amount = options.pop("amount", 5000)
    ontvanger = options.pop("ontvanger", "0392")
    line = prestatie("C1", amount, debit_credit="C", previous_reference="R1", **options)
    return later(document(client(bsn, line, GOOD), ontvanger=ontvanger).encode())


DEBIT_R1 = jw323(prestatie("R1", 5000))


IJW_CASES = [
    # Hostile XML: refused before any entity is expanded or fetched.
    Case("xml_external_entity", one("xxe.xml", XXE), "XML_DTD_FORBIDDEN", None),
    Case("xml_external_parameter_entity", one("xxe_param.xml", XXE_PARAMETER), "XML_DTD_FORBIDDEN", None),
    Case("billion_laughs", one("lol.xml", BILLION_LAUGHS), "XML_DTD_FORBIDDEN", None),
    Case("plain_dtd", one("dtd.xml", PLAIN_DTD), "XML_DTD_FORBIDDEN", None),
    # Not an iJw 3.2 message.
    Case("wrong_namespace", one("ns.xml", jw323(GOOD, message_ns="urn:example:other")), "WRONG_NAMESPACE", None),
    Case(
        "older_ijw_release_namespace",
        one("ns31.xml", jw323(GOOD, message_ns="http://www.istandaarden.nl/ijw/3_1/jw323/schema")),
        "WRONG_NAMESPACE",
        None,
    ),
    Case(
        "root_is_not_bericht",
        one(
            "root.xml", replaced(replaced(VALID, "<jw323:Bericht ", "<jw323:Foo "), "</jw323:Bericht>", "</jw323:Foo>")
        ),
        "WRONG_NAMESPACE",
        None,
    ),
    Case("wrong_berichtcode", one("code.xml", jw323(GOOD, berichtcode="491")), "WRONG_BERICHTCODE", None),
    Case(
        "wrong_version",
        one("version.xml", replaced(VALID, "<jw323:BerichtVersie>3<", "<jw323:BerichtVersie>2<")),
        "WRONG_VERSION",
        None,
    ),
    Case(
        "agb_not_8_digits",
        one("agb.xml", replaced(VALID, "<jw323:Afzender>98000011<", "<jw323:Afzender>9800<")),
        "HEADER_INVALID",
        None,
    ),
    # A second Header could name another provider for the lines after it: one Header a message, as the XSDs say.
    Case("second_header", one("headers.xml", SECOND_HEADER), "HEADER_INVALID", None),
    Case("truncated", one("truncated.xml", VALID[: len(VALID) // 2]), "XML_MALFORMED", None),
    Case("empty", one("empty.xml", b""), "FILE_EMPTY", None),
    Case("whitespace_only", one("blank.xml", b"  \n\t\n"), "XML_MALFORMED", None),
    Case(
        "not_xml_pdf",
        one("scan.xml", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >>\n"),
        "ENCODING_INVALID",
        None,
    ),
    Case("not_xml_json", one("message.xml", b'{"Bericht": {"BerichtCode": 490}}'), "XML_MALFORMED", None),
    # iJw messages are UTF-8; any other encoding is refused whole (docs/reliability.md).
    Case(
        "utf16_bytes",
        one("utf16.xml", VALID.decode().replace("UTF-8", "UTF-16").encode("utf-16")),
        "ENCODING_INVALID",
        None,
    ),
    Case(
        "latin1_bytes_declared_utf8",
        one(
            "latin1.xml",
            replaced(VALID, "<jw323:DeclaratieNummer>DT01<", "<jw323:DeclaratieNummer>DT\xe901<")
            .decode()
            .encode("latin-1"),
        ),
        "ENCODING_INVALID",
        None,
    ),
    Case(
        "latin1_declared",
        one("iso.xml", replaced(VALID, 'encoding="UTF-8"', 'encoding="ISO-8859-1"')),
        "ENCODING_INVALID",
        None,
    ),
    Case(
        "latin1_declared_past_200_bytes",
        one("iso_far.xml", LATIN1_DECLARED_FAR),
        "ENCODING_INVALID",
        None,
    ),
    Case("latin1_declared_on_lines", one("iso_lines.xml", LATIN1_DECLARED_ON_LINES), "ENCODING_INVALID", None),
    # A body the reader of the root's namespace does not look for would load as an empty file, its cents gone.
    Case(
        "jw323_body_in_the_jw301_namespace",
        one("body301.xml", lambda: body_in(f'xmlns:jw301="{JW301_NS}"', "jw301:")),
        "WRONG_NAMESPACE",
        None,
    ),
    Case("jw323_body_in_no_namespace", one("body_none.xml", lambda: body_in("", "")), "WRONG_NAMESPACE", None),
    Case("jw323_body_under_a_jw301_root", one("jw301_body323.xml", JW323_BODY_UNDER_JW301), "NO_RECORDS", None),
    Case(
        "jw323_lines_in_the_jw301_namespace",
        one(
            "lines301.xml",
            lambda: (
                body_in(f'xmlns:jw301="{JW301_NS}"', "jw301:")
                .replace(b"<jw301:Declaratie>", b"<jw323:Declaratie>")
                .replace(b"</jw301:Declaratie>", b"</jw323:Declaratie>")
            ),
        ),
        "WRONG_NAMESPACE",
        None,
    ),
    Case(
        "jw323_without_lines",
        one("nolines.xml", jw323()),
        "NO_RECORDS",
        None,
    ),
    # File-level declaration rules.
    Case(
        "declaration_period_in_the_future",
        one("future_period.xml", jw323(GOOD, period=NEXT_MONTH_PERIOD)),
        "FUTURE_DATE",
        None,
    ),
    Case(
        "declaration_signed_in_the_future",
        one("future_signed.xml", jw323(GOOD, declaration_date=SIGNED_IN_THREE_DAYS)),
        "FUTURE_DATE",
        None,
    ),
    # File-level declaration rules.
    Case("total_not_lines_tr358", one("total.xml", jw323(prestatie("R1", 5000), GOOD, total=9999)), "TR358", None),
    Case(
        "declaration_period_two_months_cs340",
        one("cs340.xml", jw323(GOOD, period=("2024-09-01", "2024-10-31"))),
        "CS340",
        None,
    ),
    # Record-level rules: the bad line alone is quarantined.
    Case(
        "invalid_bsn",
        lambda: {"ijw/bsn.xml": document(client(INVALID_BSN, prestatie("R1", 5000)), client(VALID_BSN, GOOD)).encode()},
        "BSN_INVALID",
        "DT01/R1",
    ),
    Case(
        "duplicate_declaration_tr389",
        one("dup.xml", jw323(prestatie("R8", 4000), GOOD)),
        "TR389",
        "DT01/R9",
    ),
    Case(
        "credit_without_debit_cd060",
        one("cd060.xml", jw323(prestatie("R1", 5000, debit_credit="C", previous_reference="R0"), GOOD)),
        "CD060",
        "DT01/R1",
    ),
    # Money between files: a reference is delivered once (TR314), a credit mirrors the one open debit it names (CD060).
    Case(
        "reference_reused_for_another_period_tr314",
        lambda: {"ijw/b.xml": later(jw323(prestatie("R1", 45000, period=OCTOBER))), "ijw/a.xml": DEBIT_R1},
        "TR314",
        "DT02/R1",
    ),
    Case(
        "reference_reused_in_one_file_tr314",
        one("twice.xml", jw323(prestatie("R1", 5000), prestatie("R1", 45000, period=OCTOBER))),
        "TR314",
        "DT01/R1",
    ),
    Case(
        "credit_reusing_a_debits_reference_tr314",
        lambda: {
            "ijw/b.xml": later(jw323(prestatie("R1", 5000, debit_credit="C", previous_reference="R1"))),
            "ijw/a.xml": DEBIT_R1,
        },
        "TR314",
        "DT02/R1",
    ),
    Case(
        "credit_larger_than_its_debit_cd060",
        lambda: {"ijw/b.xml": credit_of_r1(amount=45000), "ijw/a.xml": DEBIT_R1},
        "CD060",
        "DT02/C1",
    ),
    Case(
        "credit_for_another_municipality_cd060",
        lambda: {"ijw/b.xml": credit_of_r1(ontvanger="0363"), "ijw/a.xml": DEBIT_R1},
        "CD060",
        "DT02/C1",
    ),
    Case(
        "credit_for_another_client_cd060",
        lambda: {"ijw/b.xml": credit_of_r1(bsn=OTHER_VALID_BSN), "ijw/a.xml": DEBIT_R1},
        "CD060",
        "DT02/C1",
    ),
    Case(
        "credit_from_another_provider_cd060",
        lambda: {
            "ijw/b.xml": replaced(credit_of_r1(), "<jw323:Afzender>98000011<", "<jw323:Afzender>98000022<"),
            "ijw/a.xml": DEBIT_R1,
        },
        "CD060",
        "DT02/C1",
    ),
    Case(
        "credit_for_another_period_cd060",
        lambda: {"ijw/b.xml": credit_of_r1(period=OCTOBER), "ijw/a.xml": DEBIT_R1},
        "CD060",
        "DT02/C1",
    ),
    Case(
        "credit_naming_a_credit_cd060",
        lambda: {
            "ijw/c.xml": later(
                jw323(
                    prestatie("C2", 5000, debit_credit="D"),
                    prestatie("C3", 5000, debit_credit="C", previous_reference="C1"),
                ),
                "DT03",
            ),
            "ijw/a.xml": DEBIT_R1,
            "ijw/b.xml": credit_of_r1(),
        },
        "CD060",
        "DT03/C3",
    ),
    Case(
        "amount_not_volume_x_tariff_tr346",
        one("tr346.xml", jw323(prestatie("R1", 5000, volume=4, tariff=1000), GOOD)),
        "TR346",
        "DT01/R1",
    ),
    Case(
        "product_period_two_months_cs337",
        one("cs337.xml", jw323(prestatie("R1", 5000, period=("2024-09-15", "2024-10-14")), GOOD)),
        "CS337",
        "DT01/R1",
    ),
    Case(
        "unknown_product_code",
        one("code99.xml", jw323(prestatie("R1", 5000, product_code="99Z99"), GOOD)),
        "PRODUCT_CODE_UNKNOWN",
        "DT01/R1",
    ),
    Case("unknown_unit", one("unit.xml", jw323(prestatie("R1", 5000, unit="99"), GOOD)), "UNIT_UNKNOWN", "DT01/R1"),
    Case(
        "unknown_product_category",
        one(
            "cat.xml",
            replaced(
                jw323(prestatie("R1", 5000), GOOD),
                "<jw323:ProductCategorie>45<",
                "<jw323:ProductCategorie>99<",
            ),
        ),
        "PRODUCT_CATEGORY_UNKNOWN",
        "DT01/R1",
    ),
    Case(
        "future_product_period",
        one("future.xml", jw323(prestatie("R1", 5000, period=("2099-01-01", "2099-01-31")), GOOD)),
        "FUTURE_DATE",
        "DT01/R1",
    ),
    Case(
        "product_period_before_2021_cs100",
        one("cs100.xml", jw323(prestatie("R1", 5000, period=("2020-12-01", "2020-12-31")), GOOD)),
        "CS100",
        "DT01/R1",
    ),
    Case(
        "impossible_date",
        one("date.xml", jw323(prestatie("R1", 5000, period=("2024-09-01", "2024-09-31")), GOOD)),
        "DATE_INVALID",
        "DT01/R1",
    ),
    Case(
        "negative_amount",
        one("negative.xml", overflow("<ijw:Bedrag>5000<", "<ijw:Bedrag>-5000<")),
        "NUMBER_INVALID",
        "DT01/R1",
    ),
    Case(
        "amount_above_ldt_bedrag",
        one("big.xml", overflow("<ijw:Bedrag>5000<", "<ijw:Bedrag>100000000<", unit="83")),
        "AMOUNT_OUT_OF_RANGE",
        "DT01/R1",
    ),
    Case(
        "amount_overflowing_bigint",
        one("huge.xml", overflow("<ijw:Bedrag>5000<", f"<ijw:Bedrag>{'9' * 30}<", unit="83")),
        "NUMBER_OUT_OF_RANGE",
        "DT01/R1",
    ),
    Case(
        "volume_overflowing_bigint",
        one(
            "volume.xml",
            replaced(
                jw323(prestatie("R1", 5000, unit="83"), GOOD),
                "<jw323:GeleverdVolume>1<",
                f"<jw323:GeleverdVolume>{'9' * 25}<",
            ),
        ),
        "NUMBER_OUT_OF_RANGE",
        "DT01/R1",
    ),
    Case(
        "debit_credit_invalid",
        one("dc.xml", jw323(prestatie("R1", 5000, debit_credit="X"), GOOD)),
        "DEBIT_CREDIT_INVALID",
        "DT01/R1",
    ),
    Case(
        "reference_missing",
        one(
            "noref.xml",
            replaced(jw323(prestatie("R1", 5000), GOOD), "<ijw:ReferentieNummer>R1</ijw:ReferentieNummer>", ""),
        ),
        "LINE_INCOMPLETE",
        "DT01/?",
    ),
    # Start and stop messages.
    Case(
        "stop_without_start",
        one("stop.xml", lambda: care_event("JW307")),
        "STOP_WITHOUT_START",
        "toewijzing 700001 start 2024-03-04",
    ),
    Case(
        "withdrawal_of_a_start_never_sent",
        one("withdrawal.xml", lambda: care_event("JW305", status="3")),
        "WITHDRAWAL_WITHOUT_DELIVERY",
        "toewijzing 700001 start 2024-03-04",
    ),
    Case(
        "delivery_status_invalid",
        one("status.xml", lambda: care_event("JW305", status="7")),
        "DELIVERY_STATUS_INVALID",
        "toewijzing 700001 start 2024-03-04",
    ),
    Case(
        "end_reason_unknown",
        lambda: {"ijw/b_stop.xml": care_event("JW307", end_reason="99"), "ijw/a_start.xml": care_event("JW305")},
        "END_REASON_UNKNOWN",
        "toewijzing 700001 start 2024-03-04",
    ),
    Case(
        "stop_ends_before_it_starts",
        lambda: {"ijw/b_stop.xml": care_event("JW307", end="2024-01-01"), "ijw/a_start.xml": care_event("JW305")},
        "END_BEFORE_START",
        "toewijzing 700001 start 2024-03-04",
    ),
]


def land(root: Path, files: dict[str, bytes]) -> dict[str, Path]:
    paths = {}
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        paths[name] = path
    return paths


def assert_invariants(con, table_of: dict[str, str]) -> None:
    """Per file and in total: records and signed cents read = accepted + quarantined, counted from the rows."""
    ledger = con.execute(
        "select file_path, file_sha256, message_type, records_read, amount_cents_read from audit.ingest_ledger "
        "where status <> 'duplicate'"
    ).fetchall()
    assert ledger, "every landed file has a ledger row"
    read_records = read_cents = counted_records = counted_cents = 0
    for path, sha, message_type, records_read, cents_read in ledger:
        table = table_of[message_type]
        money = (
            "amount_cents" if table in ("raw.ijw_declaration_lines", "raw.budget_region_lines", "raw.cbs_iv3") else "0"
        )
        accepted = con.execute(
            f"select count(*), coalesce(sum({money}), 0) from {table} where file_sha256 = ?",  # noqa: S608
            [sha],
        ).fetchone()
        quarantined = con.execute(
            "select count(record_ref), coalesce(sum(amount_cents), 0) from audit.quarantine where file_sha256 = ?",
            [sha],
        ).fetchone()
        assert records_read == accepted[0] + quarantined[0], path
        assert cents_read == accepted[1] + quarantined[1], path
        read_records, read_cents = read_records + records_read, read_cents + cents_read
        counted_records += accepted[0] + quarantined[0]
        counted_cents += accepted[1] + quarantined[1]
    assert (read_records, read_cents) == (counted_records, counted_cents)
    for message_type, table in table_of.items():
        assert reconcile(con, table, [message_type]) == []


IJW_TABLES = {ingest.spec.message_type: ingest.table for ingest in IJW_INGESTS}


@pytest.mark.parametrize("case", IJW_CASES, ids=lambda case: case.id)
def test_hostile_ijw_input_is_quarantined_with_its_reason(case, tmp_path, warehouse):
    landing = tmp_path / "landing"
    paths = land(landing, case.files())
    culprit = next(iter(paths.values()))

    for ingest in IJW_INGESTS:
        ingest_landing(warehouse, ingest, landing, PSEUDONYMISER, "hostile-run")

    reason = quarantined_reason(warehouse, culprit, case.reason_code, case.record_ref)
    assert reason.startswith(f"{culprit}: "), reason
    if case.record_ref is not None:
        assert case.record_ref.split("/")[-1].split(" ")[-1] in reason, reason
        assert " at line " in reason, reason
    status = warehouse.execute("select status from audit.ingest_ledger where file_path = ?", [str(culprit)]).fetchone()
    assert status == (("rejected",) if case.record_ref is None else ("loaded",))
    assert_invariants(warehouse, IJW_TABLES)


def test_a_file_above_the_25_mb_cap_is_refused_unread(tmp_path, warehouse):
    landing = tmp_path / "landing"
    path = landing / "ijw" / "large.xml"
    path.parent.mkdir(parents=True)
    # A valid message padded with whitespace to 30 MB: nothing but its size is wrong.
    path.write_bytes(VALID.replace(b"</jw323:Bericht>", b" " * (30 * 1024 * 1024) + b"</jw323:Bericht>"))

    for ingest in IJW_INGESTS:
        ingest_landing(warehouse, ingest, landing, PSEUDONYMISER, "hostile-run")

    [(record_ref, reason_code, reason, cents)] = quarantine_rows(warehouse, path)
    assert (record_ref, reason_code, cents) == (None, "FILE_TOO_LARGE", 0)
    assert reason.startswith(f"{path}: the file is 314") and "26214400" in reason
    assert_invariants(warehouse, IJW_TABLES)


def test_a_stop_landed_beside_its_start_is_accepted_whatever_the_file_order(tmp_path, warehouse):
    landing = tmp_path / "landing"
    # The stop's file sorts first; the ingest order (starts before stops) still judges it against the start.
    land(
        landing,
        {
            "ijw/2024/a_stop.xml": care_event("JW307"),
            "ijw/2024/b_start.xml": care_event("JW305"),
            "ijw/2024/c_allocation.xml": allocation(),
        },
    )

    for ingest in IJW_INGESTS:
        ingest_landing(warehouse, ingest, landing, PSEUDONYMISER, "hostile-run")

    assert warehouse.execute("select count(*) from audit.quarantine").fetchone() == (0,)
    assert warehouse.execute("select allocation_number, end_date::varchar from raw.ijw_stop_events").fetchall() == [
        (700001, "2024-06-28")
    ]


def test_a_withdrawal_after_its_start_is_accepted(tmp_path, warehouse):
    landing = tmp_path / "landing"
    land(
        landing,
        {
            "ijw/0_allocation.xml": allocation(),
            "ijw/1_start.xml": care_event("JW305"),
            "ijw/2_withdrawal.xml": care_event("JW305", status="3"),
        },
    )

    for ingest in IJW_INGESTS:
        ingest_landing(warehouse, ingest, landing, PSEUDONYMISER, "hostile-run")

    assert warehouse.execute("select count(*) from audit.quarantine").fetchone() == (0,)
    assert warehouse.execute("select delivery_status from raw.ijw_start_events order by 1").fetchall() == [
        ("1",),
        ("3",),
    ]


def test_an_unknown_municipality_passes_the_door_and_is_stopped_by_the_dbt_gate(tmp_path, warehouse):
    """Decision: gemeente 9999 is well-formed, so it loads into raw and the dbt relationships test on
    fct_declaration_line blocks the marts (tests/test_quality_gate.py). The municipality list is reference data that
    can lag a merger; fixing the seed then lets the same raw rows through, where a quarantined file would have to be
    landed again under a new sha256."""
    landing = tmp_path / "landing"
    land(landing, {"ijw/gm9999.xml": jw323(GOOD, ontvanger="9999")})

    for ingest in IJW_INGESTS:
        ingest_landing(warehouse, ingest, landing, PSEUDONYMISER, "hostile-run")

    assert warehouse.execute("select municipality_code from raw.ijw_declaration_lines").fetchall() == [("GM9999",)]
    assert "GM9999" not in municipality_regions()


CBS_CASES = [
    Case("cbs_not_json", lambda: {"cbs/85099NED_a.json": b'{"TableInfos": {"value": ['}, "SNAPSHOT_NOT_JSON", None),
    Case(
        "cbs_missing_time_dimension",
        lambda: {"cbs/85099NED_a.json": kerncijfers_snapshot([kerncijfer()], time_dimension=False)},
        "SNAPSHOT_INCOMPLETE",
        None,
    ),
    Case(
        "cbs_record_missing_a_column",
        lambda: {
            "cbs/85099NED_a.json": kerncijfers_snapshot(
                [kerncijfer(), {"RegioS": "GM0453  ", "JongerenMetJeugdhulp_1": 7}]
            )
        },
        "DIMENSION_KEY_UNKNOWN",
        "TypedDataSet ID 1",
    ),
    Case(
        "cbs_text_in_a_number",
        lambda: {"cbs/85099NED_a.json": kerncijfers_snapshot([kerncijfer(), kerncijfer("GM0453  ", "veel")])},
        "VALUE_INVALID",
        "TypedDataSet ID 1",
    ),
    Case(
        "cbs_list_in_a_number",
        lambda: {"cbs/85099NED_a.json": kerncijfers_snapshot([kerncijfer(), kerncijfer("GM0453  ", [1, 2])])},
        "VALUE_INVALID",
        "TypedDataSet ID 1",
    ),
    Case(
        "cbs_duplicate_keys",
        lambda: {"cbs/85099NED_a.json": kerncijfers_snapshot([kerncijfer(), kerncijfer("GM0392", 9999)])},
        "DUPLICATE_KEY",
        "TypedDataSet ID 1",
    ),
]
BUDGET_CASES = [
    Case(
        "budget_text_in_amount",
        lambda: {"budgets/b.csv": budget_csv("GM0392;2024;Pleegzorg;veel geld")},
        "AMOUNT_INVALID",
        "line 3",
    ),
    Case(
        "budget_formula_in_municipality",
        lambda: {"budgets/b.csv": budget_csv("=cmd|' /C calc'!A0;2024;Pleegzorg;100,00")},
        "MUNICIPALITY_INVALID",
        "line 3",
    ),
    Case(
        "budget_header_missing_amount",
        lambda: {"budgets/b.csv": budget_csv(header="gemeente;jaar;perceel")},
        "HEADER_INVALID",
        None,
    ),
    Case(
        "budget_duplicate_row",
        lambda: {"budgets/b.csv": budget_csv("GM0392;2024;Ambulant;5,00")},
        "DUPLICATE_ROW",
        "line 3",
    ),
]


@pytest.mark.parametrize("case", CBS_CASES + BUDGET_CASES, ids=lambda case: case.id)
def test_hostile_cbs_and_budget_input_is_quarantined_with_its_reason(case, tmp_path, warehouse):
    [path] = land(tmp_path / "landing", case.files()).values()

    ingest_cbs_or_budget(warehouse, path)

    reason = quarantined_reason(warehouse, path, case.reason_code, case.record_ref)
    assert reason.startswith(f"{path}: ")
    if case.record_ref is not None:
        assert case.record_ref.split()[-1] in reason
    assert_invariants(warehouse, {"CBS:85099NED": KERNCIJFERS.raw_table, BUDGET_MESSAGE_TYPE: BUDGET_TABLE})


def test_a_formula_in_a_budget_name_cell_is_stored_inert(tmp_path, warehouse):
    [path] = land(tmp_path, {"b.csv": budget_csv("GM0392;2024;=cmd|' /C calc'!A0;100,00")}).values()

    ingest_cbs_or_budget(warehouse, path)

    assert warehouse.execute("select count(*) from audit.quarantine").fetchone() == (0,)
    assert warehouse.execute("select perceel from raw.budget_region_lines order by 1").fetchall() == [
        ("'=cmd|' /C calc'!A0",),
        ("Ambulant",),
    ]


def test_the_corpus_holds_at_least_40_cases():
    assert len(IJW_CASES) + len(CBS_CASES) + len(BUDGET_CASES) + 3 >= 40

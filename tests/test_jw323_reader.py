"""The JW323 reader and the load of one file: rules, hostile input, quarantine and the ledger invariant."""

import datetime as dt
from pathlib import Path

import pytest

from orchestration.ijw.jw323 import SPEC as JW323
from orchestration.ijw.pseudonym import Pseudonymiser
from orchestration.warehouse.ijw_messages import DECLARATIONS
from tests.ijw_landing import read_message
from tests.jw323_documents import (
    INVALID_BSN,
    MESSAGE_NS,
    OTHER_VALID_BSN,
    VALID_BSN,
    client,
    document,
    prestatie,
)

PSEUDONYMISER = Pseudonymiser(b"test-key-0123456789abcdef")


def write(tmp_path: Path, content: str | bytes, name: str = "message.xml") -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def load(warehouse, path: Path):
    """Load one file as the ingest does; returns (ledger row, quarantine rows)."""
    [entry] = DECLARATIONS.ingest_files(warehouse, [path], PSEUDONYMISER, "test-run", landing_dir=path.parent)
    quarantine = warehouse.execute(
        "select record_ref, reason_code, reason, amount_cents from audit.quarantine where file_sha256 = ?",
        [entry.file_sha256],
    ).fetchall()
    return entry, quarantine


def assert_ledger_balances(entry):
    assert entry.records_read == entry.records_accepted + entry.records_quarantined
    assert entry.amount_cents_read == entry.amount_cents_accepted + entry.amount_cents_quarantined


def test_amounts_are_integer_cents_signed_by_debit_credit(tmp_path):
    path = write(
        tmp_path,
        document(
            client(
                VALID_BSN,
                prestatie("R1", 5000, volume=4, tariff=1250),
                prestatie("R2", 5000, volume=4, tariff=1250, debit_credit="C", previous_reference="R0"),
            )
        ),
    )
    result = read_message(path, JW323, PSEUDONYMISER)
    assert [(line.reference_number, line.amount_cents, line.debit_credit) for line in result.records] == [
        ("R1", 5000, "D"),
        ("R2", -5000, "C"),
    ]
    credit = result.records[1]
    assert credit.previous_reference_number == "R0"
    assert credit.period_start == dt.date(2024, 9, 1) and credit.period_end == dt.date(2024, 9, 30)
    assert credit.municipality_code == "GM0392" and credit.provider_agb == "98000011"
    assert credit.tariff_cents == 1250 and credit.volume == 4 and credit.unit_code == "04"


def test_any_prefix_or_default_namespace_reads_the_same(tmp_path):
    prefixed = document(client(VALID_BSN, prestatie("R1", 5000)))
    # Same document with the message namespace as default namespace and another prefix for basisschema.
    default_ns = prefixed.replace("jw323:", "").replace("xmlns:jw323=", "xmlns=").replace("ijw:", "b:")
    default_ns = default_ns.replace("xmlns:ijw=", "xmlns:b=")
    first = read_message(write(tmp_path, prefixed, "a.xml"), JW323, PSEUDONYMISER)
    second = read_message(write(tmp_path, default_ns, "b.xml"), JW323, PSEUDONYMISER)
    assert first.records and [line.amount_cents for line in first.records] == [
        line.amount_cents for line in second.records
    ]
    assert first.records[0].client_key == second.records[0].client_key


def test_basisschema_children_in_the_message_namespace_are_not_read(tmp_path):
    # Bedrag belongs to the basisschema namespace; in the message namespace it is another element.
    misplaced = document(client(VALID_BSN, prestatie("R1", 5000))).replace(
        "<ijw:Bedrag>5000</ijw:Bedrag>", "<jw323:Bedrag>5000</jw323:Bedrag>"
    )
    result = read_message(write(tmp_path, misplaced), JW323, PSEUDONYMISER)
    assert not result.records
    assert [r.reason_code for r in result.rejections] == ["NUMBER_INVALID"]


def test_bsn_is_pseudonymised_and_never_kept(tmp_path, warehouse):
    path = write(tmp_path, document(client(VALID_BSN, prestatie("R1", 5000))))
    load(warehouse, path)
    stored = warehouse.execute("select * from raw.ijw_declaration_lines").fetchall()
    assert stored and VALID_BSN not in repr(stored)
    assert stored[0][0] == PSEUDONYMISER.client_key(VALID_BSN)


def test_invalid_bsn_quarantines_only_that_clients_lines(tmp_path, warehouse):
    path = write(
        tmp_path,
        document(
            client(INVALID_BSN, prestatie("R1", 5000), prestatie("R2", 700)),
            client(OTHER_VALID_BSN, prestatie("R3", 1200)),
        ),
    )
    entry, quarantine = load(warehouse, path)
    assert entry.status == "loaded"
    assert (entry.records_accepted, entry.records_quarantined) == (1, 2)
    assert (entry.amount_cents_accepted, entry.amount_cents_quarantined) == (1200, 5700)
    assert {(ref, code) for ref, code, _, _ in quarantine} == {("DT01/R1", "BSN_INVALID"), ("DT01/R2", "BSN_INVALID")}
    assert all(str(path) in reason and INVALID_BSN not in reason for _, _, reason, _ in quarantine)
    assert_ledger_balances(entry)


@pytest.mark.parametrize(
    ("line", "reason_code"),
    [
        (prestatie("R1", 5000, unit="99"), "UNIT_UNKNOWN"),
        (prestatie("R1", 5000, debit_credit="X"), "DEBIT_CREDIT_INVALID"),
        (prestatie("R1", 5000, period=("2024-09-31", "2024-09-30")), "DATE_INVALID"),
        (prestatie("R1", 5000, period=("2024-09-30", "2024-09-01")), "DATE_INVALID"),
        (
            prestatie("R1", 5000, volume=4, tariff=1250).replace("Volume>4<", "Volume>-4<"),
            "NUMBER_INVALID",
        ),
        (prestatie("R1", 5000).replace("<jw323:ProductCode>45A04</jw323:ProductCode>", ""), "LINE_INCOMPLETE"),
    ],
)
def test_a_bad_line_is_quarantined_alone(tmp_path, warehouse, line, reason_code):
    path = write(tmp_path, document(client(VALID_BSN, line, prestatie("GOOD", 300)), total=5300))
    entry, quarantine = load(warehouse, path)
    assert (entry.status, entry.records_accepted, entry.records_quarantined) == ("loaded", 1, 1)
    assert [(ref, code) for ref, code, _, _ in quarantine] == [("DT01/R1", reason_code)]
    assert "Prestatie DT01/R1 at line" in quarantine[0][2]
    assert_ledger_balances(entry)


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>"""


def test_billion_laughs_is_refused_without_expansion(tmp_path, warehouse):
    hostile = document(client(VALID_BSN, prestatie("&lol9;", 5000)), prolog=BILLION_LAUGHS)
    entry, quarantine = load(warehouse, write(tmp_path, hostile))
    assert entry.status == "rejected"
    assert [(ref, code) for ref, code, _, _ in quarantine] == [(None, "XML_DTD_FORBIDDEN")]
    assert "lollol" not in repr(quarantine)
    assert_ledger_balances(entry)


def test_external_entity_is_never_resolved(tmp_path, warehouse):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    prolog = f'<?xml version="1.0"?>\n<!DOCTYPE foo [ <!ENTITY xxe SYSTEM "file://{secret}"> ]>'
    hostile = document(client(VALID_BSN, prestatie("&xxe;", 5000)), prolog=prolog)
    entry, quarantine = load(warehouse, write(tmp_path, hostile))
    assert entry.status == "rejected"
    assert [code for _, code, _, _ in quarantine] == ["XML_DTD_FORBIDDEN"]
    dumped = repr(warehouse.execute("select * from audit.quarantine").fetchall())
    dumped += repr(warehouse.execute("select * from raw.ijw_declaration_lines").fetchall())
    assert "TOP-SECRET-CONTENT" not in dumped


def test_truncated_file_is_rejected_and_lines_read_before_the_cut_keep_their_cents(tmp_path, warehouse):
    full = document(client(VALID_BSN, prestatie("R1", 5000), prestatie("R2", 700), prestatie("R3", 900)))
    cut = full[: full.index("<ijw:ReferentieNummer>R3")]
    entry, quarantine = load(warehouse, write(tmp_path, cut))
    assert entry.status == "rejected"
    assert (entry.records_accepted, entry.records_quarantined, entry.amount_cents_quarantined) == (0, 2, 5700)
    assert sorted((ref or "", code) for ref, code, _, _ in quarantine) == [
        ("", "XML_MALFORMED"),
        ("DT01/R1", "XML_MALFORMED"),
        ("DT01/R2", "XML_MALFORMED"),
    ]
    assert warehouse.execute("select count(*) from raw.ijw_declaration_lines").fetchone() == (0,)
    assert_ledger_balances(entry)


def test_wrong_namespace_is_rejected(tmp_path, warehouse):
    other = MESSAGE_NS.replace("jw323", "jw399")
    entry, quarantine = load(
        warehouse, write(tmp_path, document(client(VALID_BSN, prestatie("R1", 5000)), message_ns=other))
    )
    assert entry.status == "rejected"
    assert [code for _, code, _, _ in quarantine] == ["WRONG_NAMESPACE"]
    assert other in quarantine[0][2]


def test_wrong_berichtcode_is_rejected(tmp_path, warehouse):
    entry, quarantine = load(
        warehouse, write(tmp_path, document(client(VALID_BSN, prestatie("R1", 5000)), berichtcode="436"))
    )
    assert entry.status == "rejected"
    assert [code for _, code, _, _ in quarantine] == ["WRONG_BERICHTCODE"]


@pytest.mark.parametrize(
    ("content", "reason_code"),
    [
        (b"", "FILE_EMPTY"),
        (b"this is not xml at all", "XML_MALFORMED"),
        (b"<?xml version='1.0'?><jw323:Bericht xmlns:jw323='" + MESSAGE_NS.encode() + b"'>", "XML_MALFORMED"),
    ],
)
def test_empty_and_non_xml_files_are_rejected_with_a_reason(tmp_path, warehouse, content, reason_code):
    path = write(tmp_path, content)
    entry, quarantine = load(warehouse, path)
    assert (entry.status, entry.records_read) == ("rejected", 0)
    assert quarantine == [(None, reason_code, quarantine[0][2], 0)]
    assert quarantine[0][2].startswith(str(path))


def test_with_the_official_xsd_an_out_of_order_message_is_rejected(tmp_path, warehouse, jw323_schema):
    valid = document(client(VALID_BSN, prestatie("R1", 5000)))
    # GeleverdVolume after Eenheid breaks the XSD sequence; the reader alone does not care about element order.
    swapped = valid.replace(
        "<jw323:GeleverdVolume>1</jw323:GeleverdVolume>\n          <jw323:Eenheid>04</jw323:Eenheid>",
        "<jw323:Eenheid>04</jw323:Eenheid>\n          <jw323:GeleverdVolume>1</jw323:GeleverdVolume>",
    )
    assert swapped != valid
    assert read_message(write(tmp_path, swapped, "lenient.xml"), JW323, PSEUDONYMISER).file_rejection is None
    strict = read_message(write(tmp_path, swapped, "strict.xml"), JW323, PSEUDONYMISER, jw323_schema)
    assert strict.file_rejection.reason_code == "XSD_INVALID" and "line" in strict.file_rejection.reason
    assert [r.reason_code for r in strict.rejections] == ["XSD_INVALID"]
    ok = read_message(write(tmp_path, valid, "ok.xml"), JW323, PSEUDONYMISER, jw323_schema)
    assert ok.file_rejection is None and len(ok.records) == 1

"""Each declaration rule has a failing fixture and a passing one (iJw 3.2 JW323 rules; reason code = rule id)."""

import pytest

from orchestration.ijw.pseudonym import Pseudonymiser
from orchestration.warehouse.ijw_messages import DECLARATIONS
from tests.jw323_documents import OTHER_VALID_BSN, VALID_BSN, client, document, prestatie

PSEUDONYMISER = Pseudonymiser(b"rules-test-key-0123456789")


def ingest(warehouse, tmp_path, name: str, xml: str):
    path = tmp_path / name
    path.write_text(xml)
    [entry] = DECLARATIONS.ingest_files(warehouse, [path], PSEUDONYMISER, "rules", landing_dir=tmp_path)
    assert entry.records_read == entry.records_accepted + entry.records_quarantined
    assert entry.amount_cents_read == entry.amount_cents_accepted + entry.amount_cents_quarantined
    codes = [
        code
        for (code,) in warehouse.execute(
            "select reason_code from audit.quarantine where file_sha256 = ? order by record_ref nulls first",
            [entry.file_sha256],
        ).fetchall()
    ]
    return entry, codes


def one_line(line, **document_options) -> str:
    return document(client(VALID_BSN, line), **document_options)


@pytest.mark.parametrize(
    ("line", "accepted"),
    [
        (prestatie("R1", 5000, volume=4, tariff=1250), True),
        (prestatie("R1", 5001, volume=4, tariff=1250), False),
        # 90 minutes on an hourly tariff of 10,050 cents: 15,075 cents exactly.
        (prestatie("R1", 15075, unit="01", volume=90, tariff=10050), True),
        (prestatie("R1", 1356000, unit="01", volume=90, tariff=10050), False),
        # 7 minutes at 9,850 per hour is 1,149.17: rounded 1,149.
        (prestatie("R1", 1149, unit="01", volume=7, tariff=9850), True),
        (prestatie("R1", 1150, unit="01", volume=7, tariff=9850), False),
        # Unit 83 (euro) has no volume x tariff rule.
        (prestatie("R1", 12345, unit="83", volume=1, tariff=None), True),
        (prestatie("R1", 5000, volume=4, tariff=None), False),
    ],
)
def test_tr346_amount_is_volume_times_tariff(warehouse, tmp_path, line, accepted):
    entry, codes = ingest(warehouse, tmp_path, "m.xml", one_line(line))
    assert (entry.records_accepted, codes) == ((1, []) if accepted else (0, ["TR346"]))


def test_tr358_total_must_equal_the_signed_sum_of_lines(warehouse, tmp_path):
    lines = client(VALID_BSN, prestatie("R1", 5000), prestatie("R2", 700, debit_credit="C", previous_reference="X"))
    entry, codes = ingest(warehouse, tmp_path, "ok.xml", document(lines, total=4300))
    assert entry.status == "loaded"
    entry, codes = ingest(warehouse, tmp_path, "bad.xml", document(lines, total=5700).replace("DT01", "DT02"))
    assert entry.status == "rejected" and codes == ["TR358", "TR358", "TR358"]
    assert entry.amount_cents_quarantined == 4300


@pytest.mark.parametrize(
    ("period", "accepted"),
    [
        (("2024-09-01", "2024-09-30"), True),
        (("2024-09-01", "2024-10-31"), False),
        (("2024-09-02", "2024-09-30"), False),
    ],
)
def test_cs340_declaration_period_is_one_calendar_month(warehouse, tmp_path, period, accepted):
    entry, codes = ingest(warehouse, tmp_path, "m.xml", one_line(prestatie("R1", 5000), period=period))
    assert (entry.status, codes) == (("loaded", []) if accepted else ("rejected", ["CS340", "CS340"]))


@pytest.mark.parametrize(
    ("period", "code"),
    [
        (("2024-09-01", "2024-09-30"), None),
        (("2024-09-15", "2024-10-14"), "CS337"),
        (("2020-12-01", "2020-12-31"), "CS100"),
        (("2021-01-01", "2021-01-31"), None),
    ],
)
def test_cs337_product_period_in_one_month_and_cs100_from_2021(warehouse, tmp_path, period, code):
    entry, codes = ingest(warehouse, tmp_path, "m.xml", one_line(prestatie("R1", 5000, period=period)))
    assert codes == ([] if code is None else [code])


@pytest.mark.parametrize(("product_code", "accepted"), [("45A04", True), ("45Z99", False)])
def test_unknown_product_codes_are_quarantined(warehouse, tmp_path, product_code, accepted):
    entry, codes = ingest(warehouse, tmp_path, "m.xml", one_line(prestatie("R1", 5000, product_code=product_code)))
    assert codes == ([] if accepted else ["PRODUCT_CODE_UNKNOWN"])


def test_a_line_refused_at_the_door_keeps_its_municipality_provider_and_period(warehouse, tmp_path):
    ingest(warehouse, tmp_path, "m.xml", one_line(prestatie("R1", 5000, product_code="45Z99")))
    assert warehouse.execute(
        "select reason_code, municipality_code, provider_agb, cast(period_start as varchar) from audit.quarantine"
    ).fetchall() == [("PRODUCT_CODE_UNKNOWN", "GM0392", "98000011", "2024-09-01")]


def test_tr389_a_second_uncredited_debit_is_quarantined_until_the_first_is_credited(warehouse, tmp_path):
    first = one_line(prestatie("R1", 5000))
    assert ingest(warehouse, tmp_path, "1.xml", first)[1] == []
    duplicate = one_line(prestatie("R2", 5000)).replace("DT01", "DT02")
    entry, codes = ingest(warehouse, tmp_path, "2.xml", duplicate)
    assert (entry.records_accepted, codes) == (0, ["TR389"])
    # A correction: credit R1, declare again; accepted whatever the order of the lines in the file.
    correction = document(
        client(VALID_BSN, prestatie("R4", 6000), prestatie("R3", 5000, debit_credit="C", previous_reference="R1"))
    ).replace("DT01", "DT03")
    entry, codes = ingest(warehouse, tmp_path, "3.xml", correction)
    assert (entry.records_accepted, codes) == (2, [])
    (net,) = warehouse.execute("select sum(amount_cents) from raw.ijw_declaration_lines").fetchone()
    assert net == 6000


def test_tr389_names_the_accepted_line_and_the_quarantine_row_where_who_and_when(warehouse, tmp_path):
    """An auditor reads a TR389 row without opening the files: it names the accepted debit it conflicts with (its
    reference, file and line) and carries the municipality, provider and product period of the refused line."""
    first = one_line(prestatie("R1", 5000))
    ingest(warehouse, tmp_path, "1.xml", first)
    (line,) = warehouse.execute("select source_line from raw.ijw_declaration_lines").fetchone()
    ingest(warehouse, tmp_path, "2.xml", one_line(prestatie("R2", 5000)).replace("DT01", "DT02"))
    rows = warehouse.execute(
        "select reason, municipality_code, provider_agb, period_start from audit.quarantine where reason_code = 'TR389'"
    ).fetchall()
    assert len(rows) == 1
    reason, municipality, provider, period = rows[0]
    assert f"ReferentieNummer R1 in {tmp_path / '1.xml'} at line {line}, record 1" in reason
    assert (municipality, provider, str(period)) == ("GM0392", "98000011", "2024-09-01")


def test_cd060_a_credit_must_name_an_open_debit_it_mirrors(warehouse, tmp_path):
    assert ingest(warehouse, tmp_path, "1.xml", one_line(prestatie("R1", 5000)))[1] == []
    unknown = one_line(prestatie("C1", 5000, debit_credit="C", previous_reference="NOPE")).replace("DT01", "DT02")
    assert ingest(warehouse, tmp_path, "2.xml", unknown)[1] == ["CD060"]
    other_allocation = one_line(
        prestatie("C2", 5000, debit_credit="C", previous_reference="R1", allocation=999)
    ).replace("DT01", "DT03")
    assert ingest(warehouse, tmp_path, "3.xml", other_allocation)[1] == ["CD060"]
    good = one_line(prestatie("C3", 5000, debit_credit="C", previous_reference="R1")).replace("DT01", "DT04")
    assert ingest(warehouse, tmp_path, "4.xml", good)[1] == []
    twice = one_line(prestatie("C4", 5000, debit_credit="C", previous_reference="R1")).replace("DT01", "DT05")
    assert ingest(warehouse, tmp_path, "5.xml", twice)[1] == ["CD060"]


def test_tr314_a_reference_reused_for_another_period_cannot_let_one_credit_cancel_two_debits(warehouse, tmp_path):
    september = one_line(prestatie("R1", 45000))
    assert ingest(warehouse, tmp_path, "1.xml", september)[1] == []
    october = one_line(prestatie("R1", 45000, period=("2024-10-01", "2024-10-31")), period=("2024-10-01", "2024-10-31"))
    entry, codes = ingest(warehouse, tmp_path, "2.xml", october.replace("DT01", "DT02"))
    assert (entry.records_accepted, entry.amount_cents_quarantined, codes) == (0, 45000, ["TR314"])
    credit = one_line(prestatie("C1", 45000, debit_credit="C", previous_reference="R1")).replace("DT01", "DT03")
    assert ingest(warehouse, tmp_path, "3.xml", credit)[1] == []
    # Netted as int_declaration_lines_netted does (each debit joined to the credits naming its reference): the one
    # credit meets one debit, and nothing is left of September's 45,000.
    netted = warehouse.execute(
        """
        select count(*), sum(d.amount_cents + coalesce(c.amount_cents, 0))
        from raw.ijw_declaration_lines d
        left join raw.ijw_declaration_lines c
            on c.debit_credit = 'C' and c.provider_agb = d.provider_agb
            and c.previous_reference_number = d.reference_number
        where d.debit_credit = 'D'
        """
    ).fetchone()
    assert netted == (1, 0)


def test_cd060_a_credit_repeats_its_debits_municipality_client_and_amount(warehouse, tmp_path):
    assert ingest(warehouse, tmp_path, "1.xml", one_line(prestatie("R1", 5000)))[1] == []

    def credit(number: str, amount: int = 5000, bsn: str = VALID_BSN, ontvanger: str = "0392") -> str:
        line = prestatie(f"C{number}", amount, debit_credit="C", previous_reference="R1")
        return document(client(bsn, line), ontvanger=ontvanger).replace("DT01", f"DT{number}")

    assert ingest(warehouse, tmp_path, "2.xml", credit("2", amount=6000))[1] == ["CD060"]
    assert ingest(warehouse, tmp_path, "3.xml", credit("3", amount=4000))[1] == ["CD060"]
    assert ingest(warehouse, tmp_path, "4.xml", credit("4", bsn=OTHER_VALID_BSN))[1] == ["CD060"]
    assert ingest(warehouse, tmp_path, "5.xml", credit("5", ontvanger="0363"))[1] == ["CD060"]
    assert ingest(warehouse, tmp_path, "6.xml", credit("6"))[1] == []
    (net,) = warehouse.execute("select sum(amount_cents) from raw.ijw_declaration_lines").fetchone()
    assert net == 0

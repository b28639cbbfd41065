"""The official iJw 3.2 example messages (Zorginstituut, ../shared/reference/ijw-3.2/berichten), messages no one here
wrote: landed alone, they load, and the pipeline run as `make run` runs it succeeds. Every quarantine row carries the
reason this test derives from the XML itself (XPath, its own elfproef, the seed files read as CSV), never from the
reader.
"""

import csv
import datetime as dt
import shutil
from collections import Counter
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from lxml import etree

from orchestration.ijw.pseudonym import Pseudonymiser
from orchestration.ijw.xsd import message_schema
from orchestration.warehouse.ijw_messages import DECLARATIONS, IJW_INGESTS
from orchestration.warehouse.schema import ensure_schema
from tests.conftest import REPO_ROOT, SHARED_XSD_DIR
from tests.ijw_landing import claimed_files, take_inventory
from tests.jw323_documents import VALID_BSN, client, document, prestatie

EXAMPLES_DIR = REPO_ROOT.parent / "shared" / "reference" / "ijw-3.2" / "berichten"
BASIS_NS = "http://www.istandaarden.nl/ijw/3_2/basisschema/schema"
# The record element of each message type the warehouse ingests; the other types are inventoried, never loaded.
RECORD_ELEMENTS = {
    "JW301": "ToegewezenProduct",
    "JW305": "StartProduct",
    "JW307": "StopProduct",
    "JW315": "AangevraagdProduct",
    "JW323": "Prestatie",
}
# Every reason an official example may be quarantined for, and why.
EXPLAINED_REASONS = {
    "BSN_INVALID": "the client's BSN fails the elfproef",
    "PRODUCT_CODE_UNKNOWN": "a product code in neither the national list nor the region's own",
    "DATE_INVALID": "a date that does not exist (JW315's ToewijzingEinddatum 2027-06-31, the standard's own bad input)",
    "FUTURE_DATE": "a JW323 product period that starts after today",
    "TR389": "a second uncredited debit of the same allocation, product and period in the JW323 example",
    "TR019": "a JW305 start (provider 65656055 to gemeente 0363) for an allocation its sender was never given: the "
    "JW301 example allocates to provider 42420001 for gemeente 0384",
    "STOP_WITHOUT_START": "a JW307 stop of a start that was not accepted (the JW305 example's, above)",
    "XSD_INVALID": "the file fails its official XSD (JW315's ToewijzingEinddatum 2027-06-31), with IJW_XSD_DIR set",
}
PSEUDONYMISER = Pseudonymiser(b"official-examples-key-0123456789")


@pytest.fixture(scope="module")
def examples() -> list[Path]:
    if not any(EXAMPLES_DIR.glob("*.xml")):
        pytest.skip(
            f"official iJw 3.2 example messages not found in {EXAMPLES_DIR}: download release iJw 3.2 "
            "(voorbeeldberichten) from istandaarden.nl into ../shared/reference/ijw-3.2/berichten"
        )
    return sorted(EXAMPLES_DIR.glob("*.xml"))


def land(examples: list[Path], landing: Path) -> None:
    (landing / "ijw").mkdir(parents=True, exist_ok=True)
    for path in examples:
        shutil.copy(path, landing / "ijw" / path.name)


def message_type(tree: etree._ElementTree) -> str:
    namespace = etree.QName(tree.getroot()).namespace or ""
    return namespace.split("/")[-2].upper()


def passes_elfproef(bsn: str) -> bool:
    """elfproef.md in ../shared/reference/ijw-3.2: weights 9..2 on the first eight digits, -1 on the last, sum
    divisible by 11."""
    if len(bsn) != 9 or not bsn.isdigit():
        return False
    return sum(weight * int(digit) for weight, digit in zip([9, 8, 7, 6, 5, 4, 3, 2, -1], bsn, strict=True)) % 11 == 0


def _is_date_element(element: etree._Element) -> bool:
    """Dates in iJw are the elements named ...datum or Datum (basisschema LDT_Datum)."""
    return isinstance(element.tag, str) and etree.QName(element).localname.lower().endswith("datum")


def is_date(text: str | None) -> bool:
    try:
        dt.date.fromisoformat((text or "").strip())
    except ValueError:
        return False
    return True


def seed_codes(*names: str) -> set[str]:
    codes: set[str] = set()
    for name in names:
        with (REPO_ROOT / "seeds" / "reference" / f"{name}.csv").open(newline="", encoding="utf-8") as handle:
            codes |= {row["product_code"] for row in csv.DictReader(handle)}
    return codes


def expected_quarantine(examples: list[Path], xsd_dir: Path | None = None) -> Counter:
    """(file name, reason code) of every quarantine row the examples should give, from the XML alone."""
    product_codes = seed_codes("product_codes", "region_product_codes")
    expected: Counter = Counter()
    # Accepted allocations (gemeente, provider, BSN, number, code) and starts (provider, BSN, number, code, begin):
    # sorted file names load JW301 before JW305 before JW307, as the ingest's asset order does.
    allocations: set[tuple[str, ...]] = set()
    starts: set[tuple[str, ...]] = set()
    for path in examples:
        tree = etree.parse(str(path))
        kind = message_type(tree)
        if kind not in RECORD_ELEMENTS:
            continue
        # A file failing its XSD is rejected whole (one file-level row); its records keep their own reasons.
        if xsd_dir is not None and not etree.XMLSchema(etree.parse(str(xsd_dir / f"{kind}.xsd"))).validate(tree):
            expected[(path.name, "XSD_INVALID")] += 1
        ns = {"m": etree.QName(tree.getroot()).namespace, "b": BASIS_NS}
        rejected_whole = bool(expected[(path.name, "XSD_INVALID")])
        sender = tree.xpath("string(/m:Bericht/m:Header/m:Afzender)", namespaces=ns)
        receiver = tree.xpath("string(/m:Bericht/m:Header/m:Ontvanger)", namespaces=ns)
        debits: set[tuple[str, str, str]] = set()
        for record in tree.iter(f"{{{ns['m']}}}{RECORD_ELEMENTS[kind]}"):
            bsn = record.xpath("string(ancestor::m:Client/m:Bsn)", namespaces=ns)
            code = record.xpath("string(m:ProductCode | m:Product/b:Code)", namespaces=ns)
            reason = None
            if not passes_elfproef(bsn):
                reason = "BSN_INVALID"
            elif code not in product_codes:
                reason = "PRODUCT_CODE_UNKNOWN"
            elif not all(is_date(element.text) for element in record.iter() if _is_date_element(element)):
                reason = "DATE_INVALID"
            elif kind in ("JW301", "JW305", "JW307"):
                number = record.xpath("string(m:ToewijzingNummer)", namespaces=ns)
                begin = record.xpath("string(m:Begindatum)", namespaces=ns)
                if kind == "JW301" and not rejected_whole:
                    allocations.add((sender, receiver, bsn, number, code))
                elif kind == "JW305" and (receiver, sender, bsn, number, code) not in allocations:
                    reason = "TR019"
                elif kind == "JW305" and not rejected_whole:
                    starts.add((sender, bsn, number, code, begin))
                elif kind == "JW307" and (sender, bsn, number, code, begin) not in starts:
                    reason = "STOP_WITHOUT_START"
            elif kind == "JW323":
                begin = record.xpath("string(m:ProductPeriode/b:Begindatum)", namespaces=ns)
                debit = (record.xpath("string(m:ToewijzingNummer)", namespaces=ns), code, begin)
                if dt.date.fromisoformat(begin) > dt.date.today():
                    reason = "FUTURE_DATE"
                elif record.xpath("string(m:IngediendBedrag/b:DebetCredit)", namespaces=ns) == "D":
                    reason = "TR389" if debit in debits else None
                    debits.add(debit)
            if reason:
                expected[(path.name, reason)] += 1
    return expected


def quarantine_and_ledger(con: duckdb.DuckDBPyConnection) -> tuple[Counter, dict[str, tuple]]:
    rows = con.execute("select file_path, reason_code from audit.quarantine").fetchall()
    ledger = con.execute(
        "select file_path, message_type, status, records_read, records_accepted, records_quarantined "
        "from audit.ingest_ledger"
    ).fetchall()
    return (
        Counter((Path(path).name, reason) for path, reason in rows),
        {Path(row[0]).name: row[1:] for row in ledger},
    )


def test_the_derivation_finds_the_faults_the_examples_hold(examples):
    """A guard on the derivation itself: the examples hold the TR389 repeat, JW315's two impossible dates, and JW305/
    JW307 records of a provider and gemeente other than the JW301's; XSD mode rejects JW315 whole."""
    assert expected_quarantine(examples) == Counter(
        {
            ("JW323.xml", "TR389"): 1,
            ("JW315.xml", "DATE_INVALID"): 2,
            ("JW305.xml", "TR019"): 2,
            ("JW307.xml", "STOP_WITHOUT_START"): 2,
        }
    )
    if (SHARED_XSD_DIR / "basisschema.xsd").exists():
        assert expected_quarantine(examples, SHARED_XSD_DIR)[("JW315.xml", "XSD_INVALID")] == 1


@pytest.mark.parametrize("with_xsd", [False, True], ids=["as_make_run", "with_ijw_xsd_dir"])
def test_each_example_loads_and_every_quarantine_row_is_explained(examples, request, tmp_path, with_xsd):
    landing = tmp_path / "landing"
    land(examples, landing)
    xsd_dir = request.getfixturevalue("ijw_xsd_dir") if with_xsd else None
    con = duckdb.connect(":memory:")
    ensure_schema(con)
    take_inventory(con, landing)
    for ingest in IJW_INGESTS:
        schema = message_schema(xsd_dir, ingest.spec.message_type) if xsd_dir else None
        ingest.ingest_files(con, claimed_files(con, ingest, landing), PSEUDONYMISER, "r1", schema, landing_dir=landing)
    quarantine, ledger = quarantine_and_ledger(con)
    assert quarantine == expected_quarantine(examples, xsd_dir)
    assert {reason for _, reason in quarantine} <= set(EXPLAINED_REASONS)
    # The ingested types each have their ledger row; the other types (JW302, JW306, ...) none, only their
    # inventory row with their message type.
    ingested = {path.name for path in examples if path.name[:5] in RECORD_ELEMENTS}
    assert set(ledger) == ingested
    for name, (kind, status, read, accepted, quarantined) in ledger.items():
        assert kind == name[:5] and read == accepted + quarantined
        assert status == ("rejected" if (name, "XSD_INVALID") in quarantine else "loaded")
    inventory = con.execute("select file_path, message_type from audit.landed_files").fetchall()
    assert {Path(path).name: kind for path, kind in inventory} == {path.name: path.name[:5] for path in examples}
    # The region's own codes (55A11, 55A12) are allocations like any other.
    allocations = con.execute("select product_code from raw.ijw_allocations order by 1").fetchall()
    assert allocations == ([] if with_xsd and ("JW301.xml", "XSD_INVALID") in quarantine else [("55A11",), ("55A12",)])
    con.close()


def test_a_declaration_of_a_regions_own_code_is_accepted_and_of_a_code_in_no_list_quarantined(tmp_path):
    """Through the batch reader the pipeline uses for JW323: a region's code passes, a code in no list does not."""
    assert "55A11" in seed_codes("region_product_codes") and "55A19" not in seed_codes(
        "product_codes", "region_product_codes"
    )
    con = duckdb.connect(":memory:")
    ensure_schema(con)
    paths = []
    for number, code in enumerate(("55A11", "55A19")):
        xml = document(client(VALID_BSN, prestatie(f"R{number}", 5000, product_code=code, allocation=100 + number)))
        path = tmp_path / f"JW323_{code}.xml"
        path.write_text(xml.replace("<jw323:ProductCategorie>45<", "<jw323:ProductCategorie>55<"), encoding="utf-8")
        paths.append(path)
    DECLARATIONS.ingest_files(con, paths, PSEUDONYMISER, "r1", landing_dir=tmp_path)
    assert con.execute("select product_code from raw.ijw_declaration_lines").fetchall() == [("55A11",)]
    assert con.execute("select file_path, reason_code from audit.quarantine").fetchall() == [
        (str(paths[1]), "PRODUCT_CODE_UNKNOWN")
    ]
    con.close()


def test_the_examples_alone_run_through_the_whole_pipeline(examples, definitions, warehouse_env, monkeypatch):
    """As `make run` runs (dg launch of every asset, no IJW_XSD_DIR): the run succeeds, so `make run` exits 0."""
    warehouse_dir, landing = warehouse_env
    monkeypatch.delenv("IJW_XSD_DIR", raising=False)
    land(examples, landing)
    instance = dg.DagsterInstance.ephemeral()
    result = definitions.resolve_implicit_global_asset_job_def().execute_in_process(
        instance=instance, raise_on_error=False
    )
    failed_blocking = [
        evaluation.check_name
        for evaluation in result.get_asset_check_evaluations()
        if evaluation.blocking and not evaluation.passed
    ]
    assert result.success and not failed_blocking, failed_blocking
    warnings = [record.user_message for record in instance.all_logs(result.run_id)]
    not_ingested = sorted(path.name[:5] for path in examples if path.name[:5] not in RECORD_ELEMENTS)
    assert any(
        "does not ingest" in message and message.endswith(", ".join(f"{kind} 1" for kind in not_ingested))
        for message in warnings
    )

    with duckdb.connect(str(warehouse_dir / "warehouse.duckdb"), read_only=True) as con:
        quarantine, _ = quarantine_and_ledger(con)
        assert quarantine == expected_quarantine(examples)
        # Gemeente 0384 (Diemen) and 0363 (Amsterdam) are outside the regions' own list: the reference list knows them.
        known = dict(
            con.execute(
                "select municipality_code, known_from from marts.dim_municipality "
                "where municipality_code in ('GM0384', 'GM0363')"
            ).fetchall()
        )
        assert known == {"GM0384": "cbs_reference", "GM0363": "cbs_reference"}
        lines = con.execute(
            "select municipality_code, count(*), sum(amount_cents) from marts.fct_declaration_line group by all"
        ).fetchall()
        assert lines == [("GM0384", 4, expected_accepted_cents(examples[0].parent / "JW323.xml"))]
        referrals = con.execute(
            "select r.allocation_number, r.product_code, p.code_list from marts.fct_referral as r "
            "join marts.dim_product as p using (product_code) order by 1"
        ).fetchall()
        assert referrals == [(300201, "55A11", "region"), (300202, "55A12", "region")]


def expected_accepted_cents(jw323: Path) -> int:
    """Signed cents of the JW323 example's lines less the TR389 repeat (the later debit of the same key), by XPath."""
    tree = etree.parse(str(jw323))
    ns = {"m": etree.QName(tree.getroot()).namespace, "b": BASIS_NS}
    seen, total = set(), 0
    for line in tree.iter(f"{{{ns['m']}}}Prestatie"):
        key = tuple(
            line.xpath(f"string({path})", namespaces=ns)
            for path in ("m:ToewijzingNummer", "m:ProductCode", "m:ProductPeriode/b:Begindatum")
        )
        if key in seen:
            continue
        seen.add(key)
        sign = -1 if line.xpath("string(m:IngediendBedrag/b:DebetCredit)", namespaces=ns) == "C" else 1
        total += sign * int(line.xpath("string(m:IngediendBedrag/b:Bedrag)", namespaces=ns))
    return total

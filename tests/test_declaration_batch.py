"""The JW323 line rules, decided once per batch in SQL, give exactly what the reference rules gave.

The reference rules (a Python reader deciding each Prestatie) were deleted once the batch query decided every line;
before that, their outcomes on the shipped sample, the hostile declaration cases, the unusual documents below and 150
randomly mutated sample files were recorded (tests/jw323_reference_outcomes.json, written by the reference ingest
of commit a43c0e0 with `bench/compare_ingest_paths.py --ways reference --save`). Every corpus is ingested into an empty
warehouse as the declaration asset does, and its raw lines, quarantine and ledger must equal that record row for row,
reasons and cents included, in one batch and in batches of 7 files (a batch boundary between a debit and its credit).
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import json
import random
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from types import FrameType

import duckdb
import pytest
from lxml import etree

from orchestration.ijw.jw323 import SPEC as JW323
from orchestration.ijw.pseudonym import Pseudonymiser
from orchestration.quality.suites import read_suite_file, validate
from orchestration.settings import EXPECTATIONS_DIR
from orchestration.warehouse.ijw_messages import DECLARATIONS
from orchestration.warehouse.load import ParsedFile
from orchestration.warehouse.schema import ensure_schema
from tests.conftest import copy_sample_ijw
from tests.ijw_landing import read_message
from tests.jw323_documents import (
    BASIS_NS,
    INVALID_BSN,
    MESSAGE_NS,
    OTHER_VALID_BSN,
    VALID_BSN,
    client,
    document,
    prestatie,
)
from tests.test_hostile_input import NEXT_MONTH_PERIOD, SIGNED_IN_THREE_DAYS

PSEUDONYMISER = Pseudonymiser(b"compare-ingest-paths-key-0123")
"""The key bench/compare_ingest_paths.py recorded the reference outcomes with."""
RECORDED = Path(__file__).with_name("jw323_reference_outcomes.json")
COMPARED = {
    "raw.ijw_declaration_lines": "select * exclude (ingested_at, run_id) from raw.ijw_declaration_lines",
    "audit.quarantine": "select * exclude (quarantined_at, run_id) from audit.quarantine",
    "audit.ingest_ledger": "select * exclude (ingested_at, run_id) from audit.ingest_ledger",
}


DAY_BOUND = {
    dt.date.today().isoformat(): "<today>",
    SIGNED_IN_THREE_DAYS: "<today + 3 days>",
    NEXT_MONTH_PERIOD[0]: "<next month's first day>",
    NEXT_MONTH_PERIOD[1]: "<next month's last day>",
}
"""The dates the hostile cases take from the day they run (a declaration in the future must stay in the future)."""


def normalised(tables: dict[str, list[tuple]], root: Path, files: Iterable[Path] = ()) -> dict[str, list[list]]:
    """The tables as the record holds them on any day and under any directory, rows sorted: the dates of DAY_BOUND,
    and the sha256 of each of files that holds one, by name."""
    names = {str(root): "<root>", **DAY_BOUND}
    for path in files:
        content = path.read_bytes()
        if any(date.encode() in content for date in DAY_BOUND):
            names[hashlib.sha256(content).hexdigest()] = f"<sha256 of {path.relative_to(root)}>"

    def value(item):
        if isinstance(item, dt.date | dt.datetime):
            item = item.isoformat()
        if isinstance(item, str):
            for name, placeholder in names.items():
                item = item.replace(name, placeholder)
        return item

    return {table: sorted(([value(item) for item in row] for row in rows), key=repr) for table, rows in tables.items()}


def ingested(files: list[Path], landing: Path, batch_files: int, pseudonymiser: Pseudonymiser = PSEUDONYMISER):
    """The compared tables after the declaration asset's ingest of files into an empty warehouse."""
    with duckdb.connect(":memory:") as con:
        ensure_schema(con)
        DECLARATIONS.ingest_files(con, files, pseudonymiser, "batch-test", batch_files=batch_files, landing_dir=landing)
        return {table: con.execute(query).fetchall() for table, query in COMPARED.items()}


def recorded(tables: dict[str, list[list]]) -> dict[str, list[list] | dict]:
    """Normalised tables as the record keeps them: a table of more than RECORDED_ROWS rows as its row count and the
    sha256 of its rows' JSON, so the record stays small (bench/compare_ingest_paths.py shows the rows that differ)."""
    return {
        table: rows
        if len(rows) <= RECORDED_ROWS
        else {"rows": len(rows), "sha256": hashlib.sha256(json.dumps(rows).encode()).hexdigest()}
        for table, rows in tables.items()
    }


RECORDED_ROWS = 60


def _assert_as_recorded(corpus: str, files: list[Path], landing: Path, batch_files: int) -> None:
    expected = json.loads(RECORDED.read_text())[f"{corpus} batch_files={batch_files}"]
    actual = recorded(normalised(ingested(files, landing, batch_files), landing, files))
    assert expected["audit.ingest_ledger"], "an empty record proves nothing"
    for table in COMPARED:
        assert actual[table] == expected[table], table


def written_files(root: Path, contents: dict[str, bytes]) -> list[Path]:
    files = []
    for name, content in contents.items():
        path = root / "hostile" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        files.append(path)
    return sorted(files)


@pytest.mark.parametrize("batch_files", [5000, 7])
def test_the_sample_loads_as_the_reference_rules_loaded_it(tmp_path, batch_files):
    files = [path for path in copy_sample_ijw(tmp_path) if path.name.startswith("JW323_")]
    _assert_as_recorded("sample", files, tmp_path, batch_files)


@pytest.mark.parametrize("corpus", ["cases", "unusual", "mutated"])
@pytest.mark.parametrize("batch_files", [5000, 7])
def test_the_hostile_documents_load_as_the_reference_rules_loaded_them(tmp_path, corpus, batch_files):
    sample = [path for path in copy_sample_ijw(tmp_path / "sample") if path.name.startswith("JW323_")]
    files = written_files(tmp_path / corpus, hostile_contents((corpus,), sample))
    _assert_as_recorded(corpus, files, tmp_path / corpus, batch_files)


GOOD = prestatie("R9", 4000)


def _with(old: str, new: str, *lines, count: int = 1) -> str:
    text = document(client(VALID_BSN, *lines)) if lines else document(client(VALID_BSN, prestatie("R1", 5000), GOOD))
    assert text.count(old) >= count
    return text.replace(old, new, count)


def _hidden_clienten(opening: str, closing: str) -> str:
    """The lines' Clienten written with a space in its tags, then plainly written Clienten with as many other lines
    where the parser reads no elements (between opening and closing)."""
    other_lines = client(OTHER_VALID_BSN, prestatie("F1", 5000), prestatie("F2", 4000))
    return _with("<jw323:Clienten>", "<jw323:Clienten >").replace(
        "</jw323:Clienten>", f"</jw323:Clienten >{opening}<jw323:Clienten>{other_lines}</jw323:Clienten>{closing}"
    )


# Documents the batch query might read differently from the reference reader: odd but legal XML, values that need
# stripping or parse in more than one way, elements out of place, and rules that hold or fail across lines and files.
UNUSUAL = {
    "comment_in_a_value": _with("<jw323:ProductCode>45A04<", "<jw323:ProductCode>45A<!-- x -->04<"),
    "cdata_value": _with("<jw323:ProductCode>45A04<", "<jw323:ProductCode><![CDATA[45A04]]><"),
    "character_reference": _with("<jw323:ProductCode>45A04<", "<jw323:ProductCode>&#52;5A04<"),
    "default_namespace": document(client(VALID_BSN, prestatie("R1", 5000), GOOD))
    .replace("jw323:", "")
    .replace("xmlns:jw323=", "xmlns="),
    "one_line": "".join(line.strip() for line in document(client(VALID_BSN, prestatie("R1", 5000), GOOD)).splitlines()),
    "padded_number": _with("<jw323:GeleverdVolume>1<", "<jw323:GeleverdVolume> 1 <"),
    "padded_reference": _with("<ijw:ReferentieNummer>R1<", "<ijw:ReferentieNummer>\u2003R1 <"),
    "leading_zeros": _with("<ijw:Bedrag>5000<", "<ijw:Bedrag>000005000<"),
    "whitespace_only_previous": _with(
        "</ijw:ReferentieNummer></jw323:ProductReferentie>",
        "</ijw:ReferentieNummer><ijw:VorigReferentieNummer> </ijw:VorigReferentieNummer></jw323:ProductReferentie>",
    ),
    "empty_previous": _with(
        "</ijw:ReferentieNummer></jw323:ProductReferentie>",
        "</ijw:ReferentieNummer><ijw:VorigReferentieNummer/></jw323:ProductReferentie>",
    ),
    "compact_date": _with(
        "<ijw:Begindatum>2024-09-01</ijw:Begindatum><ijw:Einddatum>2024-09-30<",
        "<ijw:Begindatum>20240901</ijw:Begindatum><ijw:Einddatum>2024-09-30<",
    ),
    "impossible_date": _with("<ijw:Einddatum>2024-09-30<", "<ijw:Einddatum>2024-09-31<"),
    "reference_beside_its_container": _with(
        "<jw323:ProductReferentie><ijw:ReferentieNummer>R1</ijw:ReferentieNummer></jw323:ProductReferentie>",
        "<jw323:ProductReferentie/><ijw:ReferentieNummer>R1</ijw:ReferentieNummer>",
    ),
    "field_with_a_child": _with(
        "<jw323:ProductCode>45A04</jw323:ProductCode>",
        "<jw323:ProductCode>45A<ijw:Code>04</ijw:Code></jw323:ProductCode>",
    ),
    "line_outside_a_client": _with("<jw323:Clienten>", "<jw323:Clienten>" + str(prestatie("R7", 0))),
    "number_after_the_lines": _with(
        "</jw323:Clienten>", "</jw323:Clienten><jw323:DeclaratieNummer>DT02</jw323:DeclaratieNummer>"
    ),
    "header_twice": _with("</jw323:Header>", "</jw323:Header><jw323:Header/>"),
    "minute_rounding": document(
        client(
            VALID_BSN,
            prestatie("R1", 2083, unit="01", volume=125, tariff=1000),  # 2083.33: within half a cent
            prestatie("R2", 2084, unit="01", volume=125, tariff=1000),  # 0.67 off
            prestatie("R3", 1250, unit="01", volume=75, tariff=1000),  # exactly 1250
        )
    ),
    "euro_unit_without_tariff": document(client(VALID_BSN, prestatie("R1", 700, unit="83", tariff=None))),
    "huge_volume": document(client(VALID_BSN, prestatie("R1", 5000, volume=10**17, tariff=10**17))),
    "invalid_bsn_among_valid": document(
        client(VALID_BSN, prestatie("R1", 5000)),
        client(INVALID_BSN, prestatie("R2", 300, period=("2020-01-01", "2020-01-31"))),
        client(OTHER_VALID_BSN, prestatie("R3", 200)),
    ),
    "valid_bsn_then_invalid_bsn": document(client(VALID_BSN, prestatie("R1", 5000))).replace(
        f"<jw323:Bsn>{VALID_BSN}</jw323:Bsn>", f"<jw323:Bsn>{VALID_BSN}</jw323:Bsn><jw323:Bsn>{INVALID_BSN}</jw323:Bsn>"
    ),
    "faulty_line_and_wrong_total": document(
        client(VALID_BSN, prestatie("R1", 5000, product_code="99Z99"), GOOD), total=1
    ),
    "faulty_line_and_long_period": document(
        client(VALID_BSN, prestatie("R1", 5000, period=("2024-09-01", "2024-10-02")), GOOD),
        period=("2024-09-01", "2024-10-31"),
    ),
    # Markup a reader of the text rather than the tree would misread: Clienten hidden in a comment, CDATA or a
    # processing instruction, prefixes rebound, lines outside the Clienten.
    "clienten_in_a_comment": _hidden_clienten("<!-- ", " -->"),
    "clienten_in_cdata": _hidden_clienten("<![CDATA[", "]]>"),
    "clienten_in_a_processing_instruction": _hidden_clienten("<?note ", "?>"),
    "basis_prefix_rebound_above_the_lines": _with("<jw323:Declaratie>", '<jw323:Declaratie xmlns:ijw="urn:elsewhere">')
    .replace("<jw323:DeclaratiePeriode>", f'<jw323:DeclaratiePeriode xmlns:ijw="{BASIS_NS}">')
    .replace("<jw323:TotaalIngediendBedrag>", f'<jw323:TotaalIngediendBedrag xmlns:ijw="{BASIS_NS}">'),
    "basis_prefix_rebound_on_a_client": _with("<jw323:Client>", '<jw323:Client xmlns:ijw="urn:elsewhere">'),
    "message_prefix_rebound_on_a_line": _with(
        "<jw323:Prestatie>", f'<jw323:Prestatie xmlns:jw323="{MESSAGE_NS}">', count=2
    ),
    "line_in_another_namespace": document(client(VALID_BSN, prestatie("R1", 5000), GOOD))
    .replace(f'xmlns:ijw="{BASIS_NS}"', f'xmlns:ijw="{BASIS_NS}" xmlns:x="urn:elsewhere"')
    .replace("<jw323:Prestaties>", "<jw323:Prestaties>" + prestatie("R7", 0).replace("jw323:", "x:")),
    "second_prefix_for_the_message_namespace": document(client(VALID_BSN, prestatie("R1", 5000), GOOD))
    .replace(f'xmlns:ijw="{BASIS_NS}"', f'xmlns:ijw="{BASIS_NS}" xmlns:j="{MESSAGE_NS}"')
    .replace("jw323:Prestatie>", "j:Prestatie>"),
    "comment_in_a_line": _with("<jw323:Eenheid>", "<!-- x --><jw323:Eenheid>"),
    "character_reference_in_a_bsn": _with(f"<jw323:Bsn>{VALID_BSN[0]}", f"<jw323:Bsn>&#{ord(VALID_BSN[0])};"),
    "crlf_line_endings": document(client(VALID_BSN, prestatie("R1", 5000), GOOD)).replace("\n", "\r\n"),
    "cr_line_endings": document(client(VALID_BSN, prestatie("R1", 5000), GOOD)).replace("\n", "\r"),
    "carriage_return_in_a_value": _with("<jw323:ProductCode>45A04<", "<jw323:ProductCode>45A04\r<"),
    "newlines_in_values": _with("<jw323:ProductCode>45A04<", "<jw323:ProductCode>\n  45A04\n  <"),
    "padded_bsn": _with(f"<jw323:Bsn>{VALID_BSN}<", f"<jw323:Bsn>\n {VALID_BSN}\t<"),
    "empty_value": _with("<jw323:Eenheid>04<", "<jw323:Eenheid><"),
    "line_before_the_clienten": _with("<jw323:Clienten>", str(prestatie("R7", 0)) + "<jw323:Clienten>"),
    "line_after_the_clienten": _with("</jw323:Clienten>", "</jw323:Clienten>" + str(prestatie("R7", 0))),
    "lines_in_a_second_clienten": _with(
        "</jw323:Clienten>",
        f"</jw323:Clienten><jw323:Clienten>{client(OTHER_VALID_BSN, prestatie('R7', 0))}</jw323:Clienten>",
    ),
    "number_after_the_last_client": _with(
        "</jw323:Clienten>", "<jw323:DeclaratieNummer>DT02</jw323:DeclaratieNummer></jw323:Clienten>"
    ),
    "line_after_the_last_client": _with("</jw323:Client>", "</jw323:Client>" + str(prestatie("R7", 0))),
    "bsn_after_the_lines": _with("</jw323:Prestaties>", f"</jw323:Prestaties><jw323:Bsn>{INVALID_BSN}</jw323:Bsn>"),
    "element_between_lines": _with("</jw323:Prestatie>", "</jw323:Prestatie><jw323:Opmerking>x</jw323:Opmerking>"),
    "text_between_lines": _with("</jw323:Prestatie>", "</jw323:Prestatie>x"),
    # Ill-formed only in the lines.
    "client_never_closed": document(client(VALID_BSN, GOOD), client(OTHER_VALID_BSN, GOOD)).replace(
        "</jw323:Prestaties>\n      </jw323:Client>", "", 1
    ),
    "client_end_before_the_first_client": _with(
        "<jw323:Clienten>", "<jw323:Clienten></jw323:Prestaties></jw323:Client>"
    ),
    "line_without_its_client_start": _with(
        f"<jw323:Client>\n        <jw323:Bsn>{VALID_BSN}</jw323:Bsn>\n        <jw323:Prestaties>", ""
    ),
    "same_bsn_in_two_clients": document(
        client(VALID_BSN, prestatie("R1", 5000)), client(INVALID_BSN, GOOD), client(VALID_BSN, prestatie("R2", 300))
    ),
    # TR389 and CD060 across files: a debit, a second debit of the same key, its credit, the redeclaration.
    "history_1_debit": document(client(VALID_BSN, prestatie("H1", 5000, allocation=7))),
    "history_2_second_debit": document(client(VALID_BSN, prestatie("H2", 5000, allocation=7))),
    "history_3_credit_and_redeclaration": document(
        client(
            VALID_BSN,
            prestatie("H4", 5100, allocation=7),
            prestatie("H3", 5000, allocation=7, debit_credit="C", previous_reference="H1"),
        )
    ),
    "history_4_credit_of_nothing": document(
        client(VALID_BSN, prestatie("H5", 100, allocation=8, debit_credit="C", previous_reference="H0"))
    ),
}


# Values a mutation writes into a field: empty, padded, signed, too long, other date forms, codes of other lists.
ODD_VALUES = [
    "",
    " ",
    "0",
    "00000001",
    "-5",
    "+5",
    "1e3",
    "2024-02-30",
    "20240901",
    "2024-9-1",
    "2020-12-31",
    "2099-01-01",
    "C",
    "d",
    "X",
    "83",
    "01",
    "99Z99",
    "\u2003R1",
    "R 1",
    "999999999999999999999",
    "123456789",
    "\u0665",
]


def mutated(document: bytes, rng: random.Random) -> bytes:
    """The document with one or two random changes: an element removed, doubled, emptied, padded, given an odd value,
    a comment or a child, or moved up a level."""
    root = etree.fromstring(document)
    for _ in range(rng.choice((1, 2))):
        element = rng.choice([element for element in root.iter() if element is not root])
        leaf = len(element) == 0
        kind = rng.randrange(8)
        if kind == 0:
            element.getparent().remove(element)
        elif kind == 1:
            element.addnext(etree.fromstring(etree.tostring(element)))
        elif kind == 2 and leaf:
            element.text = f"  {element.text or ''} \n"
        elif kind in (3, 4) and leaf:
            element.text = rng.choice(ODD_VALUES)
        elif kind == 5:
            element.insert(0, etree.Comment("c"))
        elif kind == 6 and leaf:
            etree.SubElement(element, element.tag).text = "7"
        elif kind == 7 and element.getparent() is not root:
            parent = element.getparent()
            parent.remove(element)
            parent.getparent().append(element)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def hostile_contents(kinds: tuple[str, ...], sample: list[Path]) -> dict[str, bytes]:
    """The hostile corpora's files by relative path: `cases` (every file of tests/test_hostile_input.py's iJw cases,
    read as declarations), `unusual` (UNUSUAL) and `mutated` (150 of the sample's JW323 files, mutated)."""
    from tests.test_hostile_input import IJW_CASES

    contents: dict[str, bytes] = {}
    if "cases" in kinds:
        for case in IJW_CASES:
            for name, content in case.files().items():
                contents[f"cases/{case.id}/{name}"] = content
    if "unusual" in kinds:
        for name, text in UNUSUAL.items():
            contents[f"unusual/{name}.xml"] = text.encode("utf-8")
    if "mutated" in kinds:
        rng = random.Random(3)
        for number in range(150):
            source = rng.choice(sample)
            try:
                contents[f"mutated/{number:03d}_{source.name}"] = mutated(source.read_bytes(), rng)
            except etree.XMLSyntaxError:
                continue  # the sample's malformed file
    return contents


def test_a_line_past_line_65535_carries_the_line_of_its_start_tag(tmp_path):
    # libxml2 keeps an element's line in 16 bits and only estimates it beyond; the batch path's lines are exact.
    lines = [prestatie(f"R{number}", 100 + number) for number in range(7_000)]
    text = document(client(VALID_BSN, *lines))
    for data in (text.encode("utf-8"), text.replace("\n", "\r\n").encode("utf-8")):
        start_tags = [number for number, line in enumerate(text.split("\n"), start=1) if "<jw323:Prestatie>" in line]
        assert start_tags[-1] > 65_535

        path = tmp_path / "long.xml"
        path.write_bytes(data)

        read = read_message(path, JW323, PSEUDONYMISER)

        assert [line for _record, line in sorted(_places([*read.records, *read.rejections]))] == start_tags


def _places(records: list) -> list[tuple[int, int]]:
    return [(record.source_record, record.source_line) for record in records]


def _minified(text: str) -> bytes:
    """The document as minifying software writes it: no whitespace between elements, every element on line 1."""
    root = etree.fromstring(text.encode("utf-8"), etree.XMLParser(remove_blank_text=True))
    written = b'<?xml version="1.0" encoding="UTF-8"?>' + etree.tostring(root)
    assert b"\n" not in written
    return written


@pytest.mark.parametrize("lines", [3, 30])
def test_a_declaration_written_on_one_line_loads_every_line(tmp_path, lines):
    """Every Prestatie on line 1: each line gets its position in the file, and the raw suite holds them apart by it.
    The second line has an unknown product code: its quarantine reason names its record."""
    prestaties = [
        prestatie(f"R{number}", 1000 + number, allocation=500000 + number, product_code="45A04")
        for number in range(1, lines + 1)
    ]
    prestaties[1] = prestatie("R2", 1002, allocation=500002, product_code="99Z99")
    data = _minified(document(client(VALID_BSN, *prestaties[:2]), client(OTHER_VALID_BSN, *prestaties[2:])))
    path = tmp_path / "JW323_one_line.xml"
    path.write_bytes(data)
    suite = read_suite_file(EXPECTATIONS_DIR / "raw.ijw_declaration_lines.json")
    with duckdb.connect(":memory:") as con:
        ensure_schema(con)
        DECLARATIONS.ingest_files(con, [path], PSEUDONYMISER, "one-line", landing_dir=tmp_path)
        rows = con.execute("select * from raw.ijw_declaration_lines order by source_record").df()
        quarantine = con.execute("select record_ref, reason_code, reason from audit.quarantine").fetchall()
    assert rows["reference_number"].tolist() == [f"R{number}" for number in range(1, lines + 1) if number != 2]
    assert rows["source_line"].tolist() == [1] * (lines - 1)
    assert rows["source_record"].tolist() == [number for number in range(1, lines + 1) if number != 2]
    assert [(ref, code) for ref, code, _reason in quarantine] == [("DT01/R2", "PRODUCT_CODE_UNKNOWN")]
    assert "Prestatie DT01/R2 at line 1, record 2: " in quarantine[0][2]
    assert validate(rows, suite) == []
    assert validate(rows.assign(source_record=1), suite), "the suite tells lines apart by source_record"


def test_a_batch_with_rejected_files_leaves_no_reference_cycle(tmp_path):
    # The ingest pauses the cycle collector for each batch (load.collector_paused): a batch held in a reference cycle,
    # through a rejected file's traceback, would outlive its batch and pile up while the collector waits.
    sample = [path for path in copy_sample_ijw(tmp_path / "sample") if path.name.startswith("JW323_")]
    files = written_files(tmp_path / "cases", hostile_contents(("cases",), sample))
    files.append(tmp_path / "cases" / "vanished.xml")  # listed, gone when read: an odd entry in the batch
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        tables = ingested(files, tmp_path / "cases", 5000)
        gc.collect()
        in_cycles = Counter(
            type(garbage).__name__ for garbage in gc.garbage if isinstance(garbage, ParsedFile | FrameType)
        )
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
    assert sum("rejected" in row for row in tables["audit.ingest_ledger"]) > 10, "the batch holds rejected files"
    assert any("FILE_VANISHED" in row for row in tables["audit.quarantine"]), "the batch holds an odd entry"
    assert in_cycles == Counter()

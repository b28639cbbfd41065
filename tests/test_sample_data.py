"""The shipped sample (seeds/sample, written by the generator) and the hand-written test documents are valid iJw 3.2."""

from collections import defaultdict

from lxml import etree

from tests.jw323_documents import VALID_BSN, client, document, prestatie
from tests.sample_world import SAMPLE_DIR, fault_manifest, relative, sample_files, sample_truth, seed_regions

NS = {
    "m": "http://www.istandaarden.nl/ijw/3_2/jw323/schema",
    "b": "http://www.istandaarden.nl/ijw/3_2/basisschema/schema",
}


def test_every_sample_message_validates_against_its_official_xsd(ijw_xsd_dir):
    faulty_files, _ = fault_manifest()
    for message_type in ("JW301", "JW305", "JW307", "JW315", "JW323"):
        schema = etree.XMLSchema(etree.parse(str(ijw_xsd_dir / f"{message_type}.xsd")))
        files = sample_files(message_type)
        assert files, f"the sample has no {message_type} messages"
        for path in files:
            # Files broken on purpose (truncated, wrong BerichtCode) show the quarantine; they are in faults.json.
            if relative(path, SAMPLE_DIR) in faulty_files:
                continue
            assert schema.validate(etree.parse(str(path))), f"{path.name}: {schema.error_log}"


def test_sample_covers_three_municipalities_two_providers_two_quarters_and_a_credit():
    municipalities, providers, quarters, credits = set(), set(), set(), []
    faulty_files, _ = fault_manifest()
    for path in sample_files("JW323"):
        if relative(path, SAMPLE_DIR) in faulty_files:
            continue
        tree = etree.parse(str(path))
        municipalities.add(tree.findtext("m:Header/m:Ontvanger", namespaces=NS))
        providers.add(tree.findtext("m:Header/m:Afzender", namespaces=NS))
        for begin in tree.xpath("//m:ProductPeriode/b:Begindatum/text()", namespaces=NS):
            quarters.add((begin[:4], (int(begin[5:7]) - 1) // 3))
        credits += tree.xpath("//m:Prestatie[m:IngediendBedrag/b:DebetCredit='C']", namespaces=NS)
    assert len(municipalities) >= 3 and len(providers) >= 2 and len(quarters) >= 2
    assert credits and all(c.findtext("m:ProductReferentie/b:VorigReferentieNummer", namespaces=NS) for c in credits)


def test_sample_holds_one_whole_region_and_part_of_another():
    """The shipped sample (Makefile SHIPPED_SAMPLE_ARGS, docs/generator.md) is a region: every municipality of Rijk van
    Nijmegen (JZ32 in the seed) declares care in every quarter of the window, so its report is a region's; beside it
    Velsen alone of IJmond's municipalities, so a partly covered region and its coverage warning show too."""
    truth = sample_truth()
    members = defaultdict(set)
    for municipality, region in seed_regions().items():
        members[region].add(municipality)
    quarters = {row["quarter"] for row in truth["by_municipality_quarter"]}
    declared = {
        (row["municipality_code"], row["quarter"])
        for row in truth["by_municipality_quarter"]
        if row["net_declared_cents"]
    }
    assert len(quarters) == 4
    assert {(code, quarter) for code in members["JZ32"] for quarter in quarters} <= declared
    assert set(truth["parameters"]["municipalities"]) - members["JZ32"] == {"GM0453"} < members["JZ10"]


def test_every_sample_declaration_arrives_within_the_quarter_after_the_window():
    """The forecasts' data cut is the latest quarter the declarations cover in full (int_forecast_as_of): with none
    dated after the quarter that follows the window it is the window's last quarter, so the sample's reports of that
    quarter carry the budget forecast and the provider editions (a December declared three months late, in April,
    would move the cut to a quarter without a report)."""
    last = sample_truth()["parameters"]["to"]
    year, quarter = int(last[:4]) + (last[-1] == "4"), int(last[-1]) % 4 + 1
    # The folder is the message date's YYYY/MM (docs/generator.md).
    dated = {relative(path, SAMPLE_DIR / "ijw")[:7] for path in sample_files("JW323")}
    assert max(dated) <= f"{year}/{3 * quarter:02d}"


def test_hand_written_test_documents_are_schema_valid(jw323_schema):
    text = document(client(VALID_BSN, prestatie("R1", 5000)))
    assert jw323_schema.validate(etree.fromstring(text.encode("utf-8"))), jw323_schema.error_log

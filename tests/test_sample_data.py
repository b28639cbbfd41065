"""The shipped sample (seeds/sample, written by the generator) and the hand-written test documents are valid iJw 3.2."""

from lxml import etree

from tests.jw323_documents import VALID_BSN, client, document, prestatie
from tests.sample_world import SAMPLE_DIR, fault_manifest, relative, sample_files

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


def test_hand_written_test_documents_are_schema_valid(jw323_schema):
    text = document(client(VALID_BSN, prestatie("R1", 5000)))
    assert jw323_schema.validate(etree.fromstring(text.encode("utf-8"))), jw323_schema.error_log

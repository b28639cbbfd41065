"""The shipped sample and the hand-written test documents are valid iJw 3.2 (official XSD)."""

from pathlib import Path

from lxml import etree

from tests.conftest import REPO_ROOT
from tests.jw323_documents import VALID_BSN, client, document, prestatie

SAMPLE_FILES = sorted((REPO_ROOT / "seeds" / "sample" / "ijw").glob("*.xml"))


def test_every_sample_message_validates_against_the_official_jw323_xsd(jw323_schema):
    assert len(SAMPLE_FILES) >= 8
    for path in SAMPLE_FILES:
        assert jw323_schema.validate(etree.parse(str(path))), f"{path.name}: {jw323_schema.error_log}"


def test_sample_covers_three_municipalities_two_providers_two_quarters_and_a_credit():
    ns = {
        "m": "http://www.istandaarden.nl/ijw/3_2/jw323/schema",
        "b": "http://www.istandaarden.nl/ijw/3_2/basisschema/schema",
    }
    municipalities, providers, quarters, credits = set(), set(), set(), []
    for path in SAMPLE_FILES:
        tree = etree.parse(str(path))
        municipalities.add(tree.findtext("m:Header/m:Ontvanger", namespaces=ns))
        providers.add(tree.findtext("m:Header/m:Afzender", namespaces=ns))
        for begin in tree.xpath("//m:ProductPeriode/b:Begindatum/text()", namespaces=ns):
            quarters.add((begin[:4], (int(begin[5:7]) - 1) // 3))
        credits += tree.xpath("//m:Prestatie[m:IngediendBedrag/b:DebetCredit='C']", namespaces=ns)
    assert len(municipalities) >= 3 and len(providers) >= 2 and len(quarters) >= 2
    assert credits and all(c.findtext("m:ProductReferentie/b:VorigReferentieNummer", namespaces=ns) for c in credits)


def test_hand_written_test_documents_are_schema_valid(jw323_schema, tmp_path: Path):
    text = document(client(VALID_BSN, prestatie("R1", 5000)), total=5000)
    assert jw323_schema.validate(etree.fromstring(text.encode("utf-8"))), jw323_schema.error_log

"""Hand-written JW301 allocations and JW315 requests for the door's tests (tests/test_ijw_door.py); they fit the
JW305/JW307 of tests/hostile/documents.py: provider 98000011, gemeente 0392, allocation 700001, product 45A04 from
2024-03-01, the client VALID_BSN. Each builder returns the file's bytes; a field passed as None is left out."""

from __future__ import annotations

from tests.jw323_documents import BASIS_NS, VALID_BSN


def _message(kind: str, berichtcode: str, sender: str, receiver: str, client: str) -> bytes:
    p = kind.lower()
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<{p}:Bericht xmlns:{p}="http://www.istandaarden.nl/ijw/3_2/{p}/schema" xmlns:ijw="{BASIS_NS}">
  <{p}:Header>
    <{p}:BerichtCode>{berichtcode}</{p}:BerichtCode><{p}:BerichtVersie>3</{p}:BerichtVersie>
    <{p}:BerichtSubversie>2</{p}:BerichtSubversie><{p}:Afzender>{sender}</{p}:Afzender><{p}:Ontvanger>{receiver}</{p}:Ontvanger>
    <{p}:BerichtIdentificatie><ijw:Identificatie>A1</ijw:Identificatie><ijw:Dagtekening>2024-03-01</ijw:Dagtekening></{p}:BerichtIdentificatie>
  </{p}:Header>
  <{p}:Client>{client}
  </{p}:Client>
</{p}:Bericht>
""".encode()


def _field(p: str, name: str, value: str | None) -> str:
    return "" if value is None else f"<{p}:{name}>{value}</{p}:{name}>"


def _client_fields(p: str, bsn: str | None, birth: str | None, gender: str | None) -> str:
    born = None if birth is None else f"<ijw:Datum>{birth}</ijw:Datum>"
    return (
        "".join((_field(p, "Bsn", bsn), _field(p, "Geboortedatum", born), _field(p, "Geslacht", gender)))
        + f"<{p}:Naam><ijw:Geslachtsnaam><ijw:Achternaam>Fictief</ijw:Achternaam></ijw:Geslachtsnaam></{p}:Naam>"
    )


def _product(p: str, category: str, product_code: str | None) -> str:
    code = "" if product_code is None else f"<ijw:Code>{product_code}</ijw:Code>"
    return f"<{p}:Product><ijw:Categorie>{category}</ijw:Categorie>{code}</{p}:Product>"


def _omvang(p: str, volume: str) -> str:
    units = "<ijw:Eenheid>04</ijw:Eenheid><ijw:Frequentie>2</ijw:Frequentie>"
    return f"<{p}:Omvang><ijw:Volume>{volume}</ijw:Volume>{units}</{p}:Omvang>"


def allocation(
    number: str = "700001",
    category: str = "45",
    product_code: str | None = "45A04",
    allocated_on: str = "2024-03-01",
    valid_from: str = "2024-03-01",
    valid_to: str | None = "2024-12-31",
    volume: str = "3",
    budget: str | None = None,
    bsn: str | None = VALID_BSN,
    birth: str | None = "2012-05-17",
    gender: str | None = "2",
    provider: str = "98000011",
    gemeente: str = "0392",
) -> bytes:
    """A JW301 from gemeente to provider allocating one product."""
    p = "jw301"
    product = "".join(
        (
            _field(p, "ToewijzingNummer", number),
            _product(p, category, product_code),
            _field(p, "Toewijzingsdatum", allocated_on),
            _field(p, "Toewijzingstijd", "09:30:00"),
            _field(p, "Ingangsdatum", valid_from),
            _field(p, "Einddatum", valid_to),
            _omvang(p, volume),
            _field(p, "Budget", budget),
        )
    )
    client = _client_fields(p, bsn, birth, gender) + (
        f"<{p}:ToegewezenProducten><{p}:ToegewezenProduct>{product}</{p}:ToegewezenProduct></{p}:ToegewezenProducten>"
    )
    return _message("JW301", "436", gemeente, provider, client)


def referral_request(
    reference: str = "REF-1",
    category: str = "45",
    product_code: str | None = "45A04",
    valid_from: str = "2024-02-15",
    valid_to: str | None = "2024-12-31",
    referrer_type: str = "02",
    referrer_agb: str | None = "12345678",
    bsn: str | None = VALID_BSN,
    birth: str | None = "2012-05-17",
    gender: str | None = "2",
) -> bytes:
    """A JW315 from provider 98000011 to gemeente 0392 requesting one product."""
    p = "jw315"
    referrer = f"<ijw:Type>{referrer_type}</ijw:Type>" + (
        "" if referrer_agb is None else f"<ijw:ZorgverlenerCode>{referrer_agb}</ijw:ZorgverlenerCode>"
    )
    product = "".join(
        (
            _field(p, "ReferentieAanbieder", reference),
            _product(p, category, product_code),
            _field(p, "ToewijzingIngangsdatum", valid_from),
            _field(p, "ToewijzingEinddatum", valid_to),
            _omvang(p, "3"),
            _field(p, "Verwijzer", referrer),
        )
    )
    client = _client_fields(p, bsn, birth, gender) + (
        f"<{p}:AangevraagdeProducten><{p}:AangevraagdProduct>{product}</{p}:AangevraagdProduct>"
        f"</{p}:AangevraagdeProducten>"
    )
    return _message("JW315", "446", "98000011", "0392", client)

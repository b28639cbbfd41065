"""Hand-written JW323 documents for tests, independent of the product's writer."""

MESSAGE_NS = "http://www.istandaarden.nl/ijw/3_2/jw323/schema"
BASIS_NS = "http://www.istandaarden.nl/ijw/3_2/basisschema/schema"

# BSNs from the official test range that pass the elfproef (checked by hand: weights 9..2, -1).
VALID_BSN = "999990019"
OTHER_VALID_BSN = "999990032"
# Same digits as VALID_BSN with the last two swapped: fails the elfproef.
INVALID_BSN = "999990091"


class Prestatie(str):
    """The XML of one Prestatie, carrying its signed cents so document() can state a correct total (TR358)."""

    signed_cents: int


def prestatie(
    reference: str,
    amount: int,
    debit_credit: str = "D",
    unit: str = "04",
    volume: int = 1,
    tariff: int | None = -1,
    previous_reference: str | None = None,
    product_code: str = "45A04",
    period: tuple[str, str] = ("2024-09-01", "2024-09-30"),
    allocation: int = 123456,
) -> Prestatie:
    """One line; by default volume 1 at a tariff equal to the amount, so TR346 holds."""
    tariff = amount if tariff == -1 else tariff
    previous = (
        f"<ijw:VorigReferentieNummer>{previous_reference}</ijw:VorigReferentieNummer>" if previous_reference else ""
    )
    tariff_element = f"<jw323:ProductTarief>{tariff}</jw323:ProductTarief>" if tariff is not None else ""
    xml = Prestatie(f"""
        <jw323:Prestatie>
          <jw323:ProductReferentie><ijw:ReferentieNummer>{reference}</ijw:ReferentieNummer>{previous}</jw323:ProductReferentie>
          <jw323:ToewijzingNummer>{allocation}</jw323:ToewijzingNummer>
          <jw323:ProductCategorie>45</jw323:ProductCategorie>
          <jw323:ProductCode>{product_code}</jw323:ProductCode>
          <jw323:ProductPeriode><ijw:Begindatum>{period[0]}</ijw:Begindatum><ijw:Einddatum>{period[1]}</ijw:Einddatum></jw323:ProductPeriode>
          <jw323:GeleverdVolume>{volume}</jw323:GeleverdVolume>
          <jw323:Eenheid>{unit}</jw323:Eenheid>
          {tariff_element}
          <jw323:IngediendBedrag><ijw:Bedrag>{amount}</ijw:Bedrag><ijw:DebetCredit>{debit_credit}</ijw:DebetCredit></jw323:IngediendBedrag>
        </jw323:Prestatie>""")
    xml.signed_cents = -amount if debit_credit == "C" else amount
    return xml


class ClientXml(str):
    signed_cents: int


def client(bsn: str, *prestaties: Prestatie) -> ClientXml:
    xml = ClientXml(f"""
      <jw323:Client>
        <jw323:Bsn>{bsn}</jw323:Bsn>
        <jw323:Prestaties>{"".join(prestaties)}</jw323:Prestaties>
      </jw323:Client>""")
    xml.signed_cents = sum(getattr(line, "signed_cents", 0) for line in prestaties)
    return xml


def document(
    *clients: ClientXml,
    berichtcode: str = "490",
    message_ns: str = MESSAGE_NS,
    total: int | None = None,
    ontvanger: str = "0392",
    prolog: str = '<?xml version="1.0" encoding="UTF-8"?>',
    period: tuple[str, str] = ("2024-09-01", "2024-09-30"),
    declaration_date: str = "2024-10-05",
) -> str:
    """A JW323 message; total defaults to the signed sum of the lines (TR358)."""
    total = sum(getattr(c, "signed_cents", 0) for c in clients) if total is None else total
    return f"""{prolog}
<jw323:Bericht xmlns:jw323="{message_ns}" xmlns:ijw="{BASIS_NS}">
  <jw323:Header>
    <jw323:BerichtCode>{berichtcode}</jw323:BerichtCode>
    <jw323:BerichtVersie>3</jw323:BerichtVersie>
    <jw323:BerichtSubversie>2</jw323:BerichtSubversie>
    <jw323:Afzender>98000011</jw323:Afzender>
    <jw323:Ontvanger>{ontvanger}</jw323:Ontvanger>
    <jw323:BerichtIdentificatie><ijw:Identificatie>T1</ijw:Identificatie><ijw:Dagtekening>2024-10-05</ijw:Dagtekening></jw323:BerichtIdentificatie>
    <jw323:XsdVersie><ijw:BasisschemaXsdVersie>1.0.0</ijw:BasisschemaXsdVersie><ijw:BerichtXsdVersie>1.0.0</ijw:BerichtXsdVersie></jw323:XsdVersie>
  </jw323:Header>
  <jw323:Declaratie>
    <jw323:DeclaratieNummer>DT01</jw323:DeclaratieNummer>
    <jw323:DeclaratiePeriode><ijw:Begindatum>{period[0]}</ijw:Begindatum><ijw:Einddatum>{period[1]}</ijw:Einddatum></jw323:DeclaratiePeriode>
    <jw323:DeclaratieDagtekening>{declaration_date}</jw323:DeclaratieDagtekening>
    <jw323:TotaalIngediendBedrag><ijw:TotaalBedrag>{abs(total)}</ijw:TotaalBedrag><ijw:DebetCredit>{"C" if total < 0 else "D"}</ijw:DebetCredit></jw323:TotaalIngediendBedrag>
    <jw323:Clienten>{"".join(clients)}</jw323:Clienten>
  </jw323:Declaratie>
</jw323:Bericht>
"""

"""Rebuild seeds/product_codes.csv from the Zorginstituut's standaardproductcodelijst Jeugdwet (JSON export).

Usage: uv run python scripts/convert_product_code_list.py PATH/TO/standaardproductcodelijst-jeugdwet.json

The CBS care-form dimension ("dimensie hulpvorm") reuses codes across domains: 11 is pleegzorg in jeugdhulp but
ondertoezichtstelling in jeugdbescherming. care_form_domain keeps them apart.
"""

import csv
import json
import sys
from pathlib import Path

SEED = Path(__file__).resolve().parents[1] / "seeds" / "reference" / "product_codes.csv"
COLUMNS = [
    "product_code",
    "product_name_nl",
    "product_category_code",
    "delivery_variant",
    "care_form_code",
    "care_form_name_nl",
    "care_form_domain",
]


def _none_if_dash(value: str | None) -> str:
    return "" if value in (None, "-") else value


def _domain(care_form_name: str) -> str:
    if not care_form_name:
        return ""
    if care_form_name.startswith(("Zonder verblijf", "Met verblijf")):
        return "jeugdhulp"
    return "justitieel"


def main(source: Path) -> None:
    products = json.loads(source.read_text(encoding="utf-8"))["products"]
    with SEED.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(COLUMNS)
        for product in sorted(products, key=lambda p: p["productcode"]):
            care_form_name = _none_if_dash(product["dimensie_hulpvorm_omschrijving"])
            writer.writerow(
                [
                    product["productcode"],
                    product["omschrijving"].strip(),
                    _none_if_dash(product["productcategorie_code"]),
                    product["uitvoeringsvariant"] or "",
                    _none_if_dash(product["dimensie_hulpvorm_code"]),
                    care_form_name,
                    _domain(care_form_name),
                ]
            )
    print(f"wrote {len(products)} products to {SEED}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))

"""dim_municipality, dim_region and dim_product on hand-written seed and CBS rows: which source a municipality comes
from, the names that stand in where a source has none, and the region's own product codes beside the national list.
The models run through dagster-dbt (tests/steering_dbt.py) on a small DuckDB, without a pipeline run."""

from pathlib import Path

from tests.dbt_workspace import run_dbt
from tests.steering_dbt import query, write_tables

MUNICIPALITY_COLUMNS = "municipality_code varchar, municipality_name varchar, region_code varchar, region_name varchar"
PRODUCT_COLUMNS = (
    "product_code varchar, product_name_nl varchar, product_category_code varchar, delivery_variant varchar, "
    "care_form_code varchar, care_form_name_nl varchar, care_form_domain varchar"
)
REGION_PRODUCT_COLUMNS = (
    "product_code varchar, product_category_code varchar, care_form_code varchar, care_form_domain varchar, "
    "product_name_nl varchar, valid_from date, valid_to date, note varchar"
)
NATIONAL_PRODUCTS = [
    ("45A04", "Ambulant regulier", "45", "Inspanningsgericht", "02", "Zonder verblijf: ambulant", "jeugdhulp"),
    ("43A01", "Pleegzorg", "43", None, "11", "Met verblijf: pleegzorg", "jeugdhulp"),
    ("48A01", "Ondertoezichtstelling", "48", None, "11", "Ondertoezichtstelling", "justitieel"),
]
REGION_PRODUCTS = [
    ("55A11", "55", "11", "jeugdhulp", "Regionaal pleeggezin", "2025-01-01", None, "contract 2025"),
    ("55A12", "55", "11", "justitieel", "Regionale OTS", None, None, None),
    ("55A13", "55", None, None, "Regionaal zonder hulpvorm", None, "2025-12-31", None),
]


def seeds(db: Path, region_products: list[tuple]) -> None:
    write_tables(
        db,
        {
            "reference.municipalities": (MUNICIPALITY_COLUMNS, [("GM0392", "Haarlem", "JZ11", "Zuid-Kennemerland")]),
            "staging.stg_cbs__regions": (
                f"{MUNICIPALITY_COLUMNS}, year integer",
                [
                    ("GM0392", "Haarlem (CBS)", "JZ11", "Zuid-Kennemerland (CBS)", 2024),
                    ("GM1681", "Borger-Odoorn", "JZ04", "Drenthe", 2024),
                    # An older edition: only the latest year counts.
                    ("GM0001", "Vroeger", "JZ01", "Vroeger", 2023),
                ],
            ),
            "reference.dutch_municipalities": (
                f"{MUNICIPALITY_COLUMNS}, gebieden_table varchar, gebieden_year integer",
                [
                    ("GM0392", None, "JZ11", None, "83287NED", 2016),
                    ("GM1681", None, "JZ04", None, "83287NED", 2016),
                    ("GM0384", None, "JZ13", None, "83287NED", 2016),
                ],
            ),
            "reference.product_codes": (PRODUCT_COLUMNS, NATIONAL_PRODUCTS),
            "reference.region_product_codes": (REGION_PRODUCT_COLUMNS, region_products),
            "reference.jz020_product_categories": (
                "product_category_code varchar, product_category_name_nl varchar, in_use_since_2018 boolean",
                [("43", "Verblijf", True), ("45", "Ambulant", True), ("48", "JB", True), ("55", "Landelijk", True)],
            ),
        },
    )


def dbt(db: Path, *args: str) -> bool:
    return run_dbt(db, args, raise_on_error=False).is_successful()


def test_each_municipality_comes_from_its_most_specific_source_and_the_region_codes_join_national_ones(tmp_path):
    db = tmp_path / "dims.duckdb"
    seeds(db, REGION_PRODUCTS)
    assert dbt(db, "run", "--select", "dim_municipality dim_region dim_product")
    assert query(db, "select * from marts.dim_municipality order by municipality_code") == [
        ("GM0384", "GM0384", "JZ13", "cbs_reference"),
        ("GM0392", "Haarlem", "JZ11", "region_seed"),
        ("GM1681", "Borger-Odoorn", "JZ04", "cbs_landed"),
    ]
    assert query(
        db, "select region_code, region_name, municipality_count, in_scope from marts.dim_region order by 1"
    ) == [
        ("JZ04", "Drenthe", 0, False),
        ("JZ11", "Zuid-Kennemerland", 1, True),
        ("JZ13", "JZ13", 0, False),
    ]
    products = query(
        db,
        "select product_code, product_category_name_nl, care_form_code, care_form_name_nl, code_list, "
        "cast(valid_from as varchar), cast(valid_to as varchar) from marts.dim_product order by 1",
    )
    assert products == [
        ("43A01", "Verblijf", "11", "Met verblijf: pleegzorg", "national", None, None),
        ("45A04", "Ambulant", "02", "Zonder verblijf: ambulant", "national", None, None),
        ("48A01", "JB", "J11", "Ondertoezichtstelling", "national", None, None),
        ("55A11", "Landelijk", "11", "Met verblijf: pleegzorg", "region", "2025-01-01", None),
        ("55A12", "Landelijk", "J11", "Ondertoezichtstelling", "region", None, None),
        ("55A13", "Landelijk", None, None, "region", None, "2025-12-31"),
    ]


def test_a_region_code_that_is_also_a_national_code_fails_its_test(tmp_path):
    """The shipped seeds pass the same test in every pipeline run (tests/test_official_examples.py)."""
    clash = tmp_path / "clash.duckdb"
    seeds(clash, [*REGION_PRODUCTS, ("45A04", "45", "02", "jeugdhulp", "Dubbel", None, None, None)])
    assert not dbt(clash, "test", "--select", "assert_region_product_codes_outside_the_national_list")

"""Budgets: the region budget CSV (Dutch and plain formats, bad rows, formula text) and Iv3 through dbt into
fct_budget (each taakveld code set in its rollup line, 2ePlaatsing preferred, -99998 never money)."""

from __future__ import annotations

import dagster as dg
import duckdb
import pytest
from dbt.cli.main import dbtRunner

from orchestration.budgets.region_budget import read_region_budget
from orchestration.defs.ingest.budgets import IV3_KEY, REGION_BUDGET_KEY, iv3_geen_opgave
from orchestration.defs.ingest.cbs_and_budgets import cbs_and_budgets
from orchestration.defs.quality.wave import check_wave
from orchestration.defs.resources import CbsResource, WarehouseResource
from orchestration.settings import DBT_PROJECT_DIR
from tests.cbs_documents import IV3_PROPERTIES, bundle, keys, write

MUNICIPALITIES = {"GM0392", "GM0268", "GM0944"}


def test_semicolons_and_decimal_commas_parse_to_cents(tmp_path):
    text = (
        "gemeente;jaar;perceel;bedrag;toelichting\r\n"
        "GM0392;2025;Ambulant;1.234.567,89;\r\n"
        "0268;2025;Verblijf;€ 950000,5;\r\n"
        "944;2025;Crisis;12;\r\n"
    )
    path = tmp_path / "budget.csv"
    path.write_bytes(text.encode("utf-8-sig"))

    parsed = read_region_budget(path, MUNICIPALITIES)

    assert parsed.rejections == [] and parsed.file_rejection is None
    assert [(r["municipality_code"], r["perceel"], r["amount_cents"], r["source_line"]) for r in parsed.records] == [
        ("GM0392", "Ambulant", 123456789, 2),
        ("GM0268", "Verblijf", 95000050, 3),
        ("GM0944", "Crisis", 1200, 4),
    ]


def test_comma_separated_files_use_a_decimal_point(tmp_path):
    path = tmp_path / "budget.csv"
    path.write_text('gemeente,jaar,perceel,bedrag\nGM0392,2025,Ambulant,"1,234,567.89"\nGM0268,2025,Verblijf,0.5\n')

    parsed = read_region_budget(path, MUNICIPALITIES)

    assert [r["amount_cents"] for r in parsed.records] == [123456789, 50]


def test_formula_text_is_stored_inert(tmp_path):
    path = tmp_path / "budget.csv"
    path.write_text('gemeente;jaar;perceel;bedrag;toelichting\nGM0392;2025;Ambulant;10;=cmd|" /C calc"!A0\n')

    (row,) = read_region_budget(path, MUNICIPALITIES).records

    assert row["note"] == '\'=cmd|" /C calc"!A0'


def test_bad_rows_are_quarantined_with_line_column_and_cents(warehouse_env):
    warehouse_dir, landing_dir = warehouse_env
    path = landing_dir / "budgets" / "regio_2025.csv"
    path.parent.mkdir()
    path.write_text(
        "gemeente;jaar;perceel;bedrag\n"
        "GM0392;2025;Ambulant;100,00\n"
        "GM0392;2025;Verblijf;12,3,4\n"
        "GM9999;2025;Ambulant;7,50\n"
        "GM0268;25;Ambulant;1,00\n"
        "GM0392;2025;Ambulant;5,00\n"
        "GM0268;2025;Ambulant\n"
    )

    result = dg.materialize(
        [cbs_and_budgets],
        selection=[REGION_BUDGET_KEY],
        resources={"warehouse": WarehouseResource(), "cbs": CbsResource()},
        instance=dg.DagsterInstance.ephemeral(),
    )

    assert result.success
    with duckdb.connect(str(warehouse_dir / "warehouse.duckdb"), read_only=True) as con:
        quarantine = con.execute(
            "select record_ref, reason_code, amount_cents, reason from audit.quarantine order by quarantined_at, 1"
        ).fetchall()
        ledger = con.execute(
            "select records_read, records_accepted, records_quarantined, amount_cents_read, amount_cents_accepted, "
            "amount_cents_quarantined from audit.ingest_ledger"
        ).fetchall()
        accepted = con.execute(
            "select municipality_code, perceel, amount_cents, source_line from raw.budget_region_lines"
        ).fetchall()
    assert accepted == [("GM0392", "Ambulant", 10000, 2)]
    assert sorted((ref, code, cents) for ref, code, cents, _ in quarantine) == [
        ("line 3", "AMOUNT_INVALID", 0),
        ("line 4", "MUNICIPALITY_UNKNOWN", 750),
        ("line 5", "YEAR_INVALID", 100),
        ("line 6", "DUPLICATE_ROW", 500),
        ("line 7", "ROW_MALFORMED", 0),
    ]
    reasons = {ref: reason for ref, _, _, reason in quarantine}
    assert reasons["line 3"].startswith(f"{path}: line 3, column 'bedrag'")
    assert "line 2" in reasons["line 6"]
    # 10000 accepted + 750 + 100 + 500 quarantined
    assert ledger == [(6, 1, 5, 11350, 10000, 1350)]


def test_a_file_without_the_required_header_is_rejected_whole(tmp_path):
    path = tmp_path / "budget.csv"
    path.write_text("municipality;year;amount\nGM0392;2025;10\n")

    parsed = read_region_budget(path, MUNICIPALITIES)

    assert parsed.records == [] and parsed.file_rejection.reason_code == "HEADER_INVALID"


# --- Iv3 through dbt -------------------------------------------------------------------------------------------------

TAAKVELDEN = [
    ("T01 ", "6.72 Maatwerkdienstverlening 18-"),
    ("T02 ", "6.73a Pleegzorg"),
    ("T03 ", "6.792 PGB jeugd"),
    ("T04 ", "6.82b Jeugdreclassering"),
    ("T05 ", "0.1 Bestuur"),
]


def iv3_row(taakveld, municipality, year, first, second=None, report="REK ", category="L "):
    return {
        "TaakveldBalanspost": taakveld,
        "Categorie": category,
        "Gemeenten": f"{municipality}  ",
        "Verslagsoort": report,
        "Perioden": f"{year}JJ00",
        "k_1ePlaatsing_1": first,
        "k_2ePlaatsing_2": second,
    }


def iv3_table() -> dict:
    rows = [
        iv3_row("T01 ", "GM0392", 2022, 1500),  # 2017-2022 set -> ambulant
        iv3_row("T02 ", "GM0392", 2024, 800, 850),  # 2023-2024 set, revised -> verblijf uses 850
        iv3_row("T04 ", "GM0392", 2024, -99998),  # geen opgave -> jeugdreclassering null
        iv3_row("T03 ", "GM0392", 2025, 120, report="BEGR"),  # 2025- set -> pgb begroting
        iv3_row("T02 ", "GM0268", 2024, 40, -99998),  # revised placement missing: keep the first
        iv3_row("T02 ", "GM0268", 2024, 7, category="B "),  # baten stay out of fct_budget
        iv3_row("T05 ", "GM0392", 2024, 999),  # not a youth taakveld
    ]
    return bundle(
        "45046NED",
        IV3_PROPERTIES,
        {
            "TaakveldBalanspost": keys(*TAAKVELDEN),
            "Categorie": keys(("L ", "Lasten"), ("B ", "Baten")),
            "Gemeenten": keys(("GM0392  ", "Haarlem"), ("GM0268  ", "Nijmegen")),
            "Verslagsoort": keys(("BEGR", "Begroting"), ("REK ", "Jaarrekening")),
            "Perioden": keys(
                ("2022JJ00", "2022"),
                ("2024JJ00", "2024"),
                ("2025JJ00", "2025"),
                status={"2022JJ00": "Definitief", "2024JJ00": "Voorlopig", "2025JJ00": "Voorlopig"},
            ),
        },
        rows,
    )


def dbt(tmp_path, *args: str):
    return dbtRunner().invoke(
        [
            *args,
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--target-path",
            str(tmp_path / "target"),
            "--log-path",
            str(tmp_path / "logs"),
            "--quiet",
        ]
    )


@pytest.fixture
def iv3_in_marts(warehouse_env, tmp_path):
    warehouse_dir, landing_dir = warehouse_env
    write(landing_dir / "budgets" / "iv3_45046NED.json", iv3_table())
    result = dg.materialize(
        [cbs_and_budgets, check_wave("iv3_checks", "The Iv3 warning alone.", [iv3_geen_opgave])],
        selection=[IV3_KEY],
        resources={"warehouse": WarehouseResource(), "cbs": CbsResource()},
        instance=dg.DagsterInstance.ephemeral(),
    )
    assert result.success
    built = dbt(tmp_path, "build", "--select", "+fct_budget", "--indirect-selection", "cautious")
    assert built.success, built.exception
    return warehouse_dir / "warehouse.duckdb", result


def test_each_taakveld_code_set_lands_in_its_rollup_line_and_geen_opgave_is_never_money(iv3_in_marts):
    database, result = iv3_in_marts
    # dbt-duckdb keeps its in-process connection open; a second one must use the same (read-write) configuration.
    with duckdb.connect(str(database)) as con:
        budget = con.execute(
            "select municipality_code, year, budget_line, kind, amount_cents from marts.fct_budget order by all"
        ).fetchall()
        raw_amounts = con.execute("select amount_cents from raw.cbs_iv3 where amount_cents is not null").fetchall()
    assert budget == [
        ("GM0268", 2024, "verblijf", "realisatie", 40 * 100_000),
        ("GM0392", 2022, "ambulant", "realisatie", 1500 * 100_000),
        ("GM0392", 2024, "jeugdreclassering", "realisatie", None),
        ("GM0392", 2024, "verblijf", "realisatie", 850 * 100_000),
        ("GM0392", 2025, "pgb", "begroting", 120 * 100_000),
    ]
    assert all(cents not in (-99998, -9_999_800, -9_999_800_000) for (cents,) in raw_amounts)
    (warning,) = [e for e in result.get_asset_check_evaluations() if e.check_name == "iv3_geen_opgave"]
    assert not warning.passed and warning.severity == dg.AssetCheckSeverity.WARN
    assert "GM0392 2024 jaarrekening 6.82b L" in warning.description


def test_an_unmapped_youth_taakveld_fails_the_rollup_coverage_test(iv3_in_marts, tmp_path):
    database, _ = iv3_in_marts
    with duckdb.connect(str(database)) as con:
        # 6.72 ended in 2022; a 2024 figure on it would miss every rollup line.
        con.execute(
            "insert into raw.cbs_iv3 select * replace (2024 as year, '2024JJ00' as period_code, '2024' as period) "
            "from raw.cbs_iv3 where taakveld_code = '6.72'"
        )

    tested = dbt(tmp_path, "test", "--select", "assert_iv3_youth_taakvelden_mapped")

    assert not tested.success

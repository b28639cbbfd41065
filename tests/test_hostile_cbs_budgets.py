"""CBS snapshots and region budget CSVs at the edges of their parsers, and records the blocking suites on the raw
tables would reject (issue 26, classes 4 and 2).

Parser edges: every case ends in a quarantined record or file with its reason code, never in an exception, and
nothing stored anywhere (raw tables, audit) holds a control character or a non-finite number; the ledger balances.
Door before gate: for each per-record rule a blocking suite on a raw table enforces, a record breaking it is
quarantined at the door, the rows the door let through pass that suite, and the same rows plus the record as the
raw row it would have become fail it, so the suite really holds the rule and the door took the record out first.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass

import duckdb
import pandas as pd
import pytest

from orchestration.quality.suites import read_suite_file, validate
from orchestration.settings import EXPECTATIONS_DIR
from tests.hostile.cbs_budget_documents import (
    budget,
    costs,
    edited,
    iv3,
    iv3_figure,
    kerncijfers,
    persons,
    population,
    region,
    regions,
    youth,
    youth_population,
)
from tests.hostile.loading import CBS_BUDGET_TABLES, ingest_cbs_or_budget, quarantine_rows, quarantined_reason
from tests.test_hostile_input import Case, assert_invariants, land


def kern(content: bytes) -> dict[str, bytes]:
    return {"cbs/85099NED_test.json": content}


def deeply_nested(depth: int) -> str:
    return "[" * depth + "1" + "]" * depth


YOUTH_1 = '"JongerenMetJeugdhulp_1": 1}'
PARSER_EDGE_CASES = [
    # Numbers JSON can write and a warehouse cannot store.
    Case(
        "json_nan_literal",
        lambda: kern(edited(kerncijfers(youth("GM0453  ", 1)), YOUTH_1, YOUTH_1.replace("1}", "NaN}"))),
        "VALUE_INVALID",
        "TypedDataSet ID 1",
    ),
    Case(
        "json_minus_infinity_literal",
        lambda: kern(edited(kerncijfers(youth("GM0453  ", 1)), YOUTH_1, YOUTH_1.replace("1}", "-Infinity}"))),
        "VALUE_INVALID",
        "TypedDataSet ID 1",
    ),
    Case(
        "json_1e400",
        lambda: kern(edited(kerncijfers(youth("GM0453  ", 1)), YOUTH_1, YOUTH_1.replace("1}", "1e400}"))),
        "VALUE_INVALID",
        "TypedDataSet ID 1",
    ),
    Case(
        "integer_10_to_the_30",
        lambda: kern(kerncijfers(youth("GM0453  ", 10**30))),
        "VALUE_OUT_OF_RANGE",
        "TypedDataSet ID 1",
    ),
    # Python refuses to convert an integer of over 4,300 digits: the record, not the file, is quarantined.
    Case(
        "integer_of_5000_digits",
        lambda: kern(edited(kerncijfers(youth("GM0453  ", 1)), YOUTH_1, YOUTH_1.replace("1}", "9" * 5000 + "}"))),
        "VALUE_OUT_OF_RANGE",
        "TypedDataSet ID 1",
    ),
    Case(
        "population_of_10_to_the_12",
        lambda: {"cbs/03759ned_t.json": population(persons("10010   ", 10**12))},
        "VALUE_OUT_OF_RANGE",
        "TypedDataSet ID 1",
    ),
    # x EUR 1,000: 10^14 would be 10^19 cents, beyond bigint.
    Case(
        "iv3_amount_beyond_bigint_cents",
        lambda: {"budgets/iv3_t.json": iv3(iv3_figure("GM0453  ", 10**14))},
        "VALUE_OUT_OF_RANGE",
        "TypedDataSet ID 1",
    ),
    # Strings where numbers belong: OData writes Edm.Decimal as text, but only plain decimal text is a number.
    Case(
        "text_nan_in_a_number",
        lambda: kern(kerncijfers(youth("GM0453  ", "NaN"))),
        "VALUE_INVALID",
        "TypedDataSet ID 1",
    ),
    Case(
        "underscored_text_in_a_number",
        lambda: kern(kerncijfers(youth("GM0453  ", "1_000"))),
        "VALUE_INVALID",
        "TypedDataSet ID 1",
    ),
    Case(
        "arabic_indic_digits_in_a_number",
        lambda: kern(kerncijfers(youth("GM0453  ", "\u0661\u0662"))),
        "VALUE_INVALID",
        "TypedDataSet ID 1",
    ),
    Case(
        "object_in_a_number",
        lambda: kern(kerncijfers(youth("GM0453  ", {"waarde": 3}))),
        "VALUE_INVALID",
        "TypedDataSet ID 1",
    ),
    # Nesting: 100,000 levels exceed the parser's recursion limit (the file); 500 levels in one value are a record.
    Case(
        "nesting_100k_deep",
        lambda: {"cbs/85099NED_deep.json": deeply_nested(100_000).encode()},
        "SNAPSHOT_NOT_JSON",
        None,
    ),
    Case(
        "nesting_100k_deep_inside_a_record",
        lambda: kern(
            edited(kerncijfers(youth("GM0453  ", 1)), YOUTH_1, YOUTH_1.replace("1}", deeply_nested(100_000) + "}"))
        ),
        "SNAPSHOT_NOT_JSON",
        None,
    ),
    Case(
        "nesting_500_deep_in_a_key",
        lambda: kern(
            edited(kerncijfers(youth("GM0453  ", 1)), '"RegioS": "GM0453  "', '"RegioS": ' + deeply_nested(500))
        ),
        "DIMENSION_KEY_UNKNOWN",
        "TypedDataSet ID 1",
    ),
    # Encodings and byte order marks: JSON is UTF-8 (RFC 8259).
    Case("utf16_json", lambda: kern(kerncijfers().decode().encode("utf-16")), "ENCODING_INVALID", None),
    Case(
        "latin1_json",
        lambda: kern(edited(kerncijfers(), '"Velsen"', '"V\u00e9lsen"').decode().encode("latin-1")),
        "ENCODING_INVALID",
        None,
    ),
    Case("two_utf8_boms", lambda: kern(b"\xef\xbb\xbf\xef\xbb\xbf" + kerncijfers()), "SNAPSHOT_NOT_JSON", None),
    # Missing and null keys.
    Case(
        "value_key_missing",
        lambda: kern(
            edited(
                kerncijfers(),
                '"TypedDataSet": {"odata.metadata": "http://127.0.0.1/odata/$metadata", "value"',
                '"TypedDataSet": {"odata.metadata": "http://127.0.0.1/odata/$metadata", "rows"',
            )
        ),
        "SNAPSHOT_INCOMPLETE",
        None,
    ),
    Case(
        "value_is_null",
        lambda: kern(
            edited(
                kerncijfers(),
                '"RegioS": {"odata.metadata": "http://127.0.0.1/odata/$metadata", "value": [',
                '"RegioS": {"odata.metadata": "http://127.0.0.1/odata/$metadata", "value": null, "x": [',
            )
        ),
        "SNAPSHOT_INCOMPLETE",
        None,
    ),
    Case(
        "null_measure_key",
        lambda: kern(edited(kerncijfers(), '"Key": "JongerenMetJeugdhulp_1"', '"Key": null')),
        "SNAPSHOT_MALFORMED",
        None,
    ),
    Case(
        "null_dimension_entry_key",
        lambda: kern(edited(kerncijfers(), '"Key": "GM0453  "', '"Key": null')),
        "SNAPSHOT_MALFORMED",
        None,
    ),
    Case(
        "null_table_identifier",
        lambda: kern(edited(kerncijfers(), '"Identifier": "85099NED"', '"Identifier": null')),
        "SNAPSHOT_MALFORMED",
        None,
    ),
    Case(
        "status_not_text",
        lambda: kern(edited(kerncijfers(), '"Status": "Definitief"', '"Status": 5')),
        "SNAPSHOT_MALFORMED",
        None,
    ),
    Case(
        "measure_named_twice",
        lambda: kern(
            edited(
                kerncijfers(),
                '{"Key": "RegioS", "Type": "GeoDimension"',
                '{"Key": "JongerenMetJeugdhulp_1", "Type": "Topic"}, {"Key": "RegioS", "Type": "GeoDimension"',
            )
        ),
        "SNAPSHOT_MALFORMED",
        None,
    ),
    Case(
        "null_key_in_a_record", lambda: kern(kerncijfers(youth(None, 7))), "DIMENSION_KEY_UNKNOWN", "TypedDataSet ID 1"
    ),
    # A name twice in one object: json keeps the last value, so which one is meant is unknown.
    Case(
        "measure_twice_in_a_record",
        lambda: kern(
            edited(
                kerncijfers(youth("GM0453  ", 1)),
                YOUTH_1,
                '"JongerenMetJeugdhulp_1": 1, "JongerenMetJeugdhulp_1": 900}',
            )
        ),
        "JSON_NAME_DUPLICATE",
        "TypedDataSet ID 1",
    ),
    Case(
        "key_twice_in_a_dimension_entry",
        lambda: kern(edited(kerncijfers(), '"Key": "GM0453  "', '"Key": "GM0453  ", "Key": "GM0454  "')),
        "JSON_NAME_DUPLICATE",
        None,
    ),
    # Control characters and huge text: quarantined, never stored (orchestration/stored_text.py says why).
    Case(
        "nul_in_a_dimension_title",
        lambda: kern(edited(kerncijfers(), '"Velsen"', '"Vel\\u0000sen"')),
        "TEXT_CONTROL_CHARACTER",
        None,
    ),
    Case(
        "lone_surrogate_in_a_measure_title",
        lambda: kern(edited(kerncijfers(), '"Jongeren met jeugdhulp"', '"Jongeren \\ud800"')),
        "TEXT_CONTROL_CHARACTER",
        None,
    ),
    Case(
        "escape_in_a_unit",
        lambda: kern(edited(kerncijfers(), '"aantal"', '"aan\\u001btal"')),
        "TEXT_CONTROL_CHARACTER",
        None,
    ),
    Case(
        "megabyte_title",
        lambda: kern(edited(kerncijfers(), '"Velsen"', '"' + "V" * 1_000_000 + '"')),
        "TEXT_TOO_LONG",
        None,
    ),
    Case(
        "nul_in_a_record_key",
        lambda: kern(kerncijfers(youth("GM0453\u0000", 7))),
        "DIMENSION_KEY_UNKNOWN",
        "TypedDataSet ID 1",
    ),
    Case(
        "nul_in_a_region_name",
        lambda: {"cbs/85755NED_t.json": regions(region("GM0453  ", name="Zuid-\u0000Kennemerland"))},
        "TEXT_CONTROL_CHARACTER",
        "TypedDataSet ID 1",
    ),
    Case(
        "lone_surrogate_in_a_region_name",
        lambda: {
            "cbs/85755NED_t.json": edited(regions(region("GM0453  ", name="IJmond")), '"IJmond"', '"IJ\\udfffmond"')
        },
        "TEXT_CONTROL_CHARACTER",
        "TypedDataSet ID 1",
    ),
    Case(
        "megabyte_region_name",
        lambda: {"cbs/85755NED_t.json": regions(region("GM0453  ", name="IJ" * 500_000))},
        "TEXT_TOO_LONG",
        "TypedDataSet ID 1",
    ),
    # Budget CSV: csv.field_size_limit, ragged rows, NUL bytes, encodings, amounts beyond bigint.
    Case(
        "csv_field_beyond_the_csv_limit",
        lambda: {"budgets/b.csv": budget('GM0453;2024;Verblijf;1,00;"' + "x" * 200_000 + '"')},
        "CSV_MALFORMED",
        None,
    ),
    Case(
        "csv_quote_never_closed",
        lambda: {"budgets/b.csv": budget('GM0453;2024;"Verblijf;1,00;', "GM0453;2024;Crisis;2,00;")},
        "ROW_MALFORMED",
        "line 3",
    ),
    Case(
        "csv_row_with_a_cell_too_many",
        lambda: {"budgets/b.csv": budget("GM0453;2024;Verblijf;1,00;;extra")},
        "ROW_MALFORMED",
        "line 3",
    ),
    Case("csv_row_with_two_cells", lambda: {"budgets/b.csv": budget("GM0453;2024")}, "ROW_MALFORMED", "line 3"),
    Case(
        "csv_nul_byte_in_perceel",
        lambda: {"budgets/b.csv": budget("GM0453;2024;Ver\x00blijf;1,00;")},
        "TEXT_CONTROL_CHARACTER",
        "line 3",
    ),
    Case(
        "csv_escape_in_toelichting",
        lambda: {"budgets/b.csv": budget("GM0453;2024;Verblijf;1,00;zie \x1b[31mrood")},
        "TEXT_CONTROL_CHARACTER",
        "line 3",
    ),
    Case(
        "csv_perceel_of_300_characters",
        lambda: {"budgets/b.csv": budget(f"GM0453;2024;{'V' * 300};1,00;")},
        "TEXT_TOO_LONG",
        "line 3",
    ),
    Case(
        "csv_amount_beyond_bigint",
        lambda: {"budgets/b.csv": budget("GM0453;2024;Verblijf;" + "9" * 30 + ";")},
        "AMOUNT_OUT_OF_RANGE",
        "line 3",
    ),
    Case(
        "csv_amount_of_11_billion",
        lambda: {"budgets/b.csv": budget("GM0453;2024;Verblijf;11.000.000.000,00;")},
        "AMOUNT_OUT_OF_RANGE",
        "line 3",
    ),
    Case("csv_utf16_without_bom", lambda: {"budgets/b.csv": budget(encoding="utf-16-le")}, "ENCODING_INVALID", None),
    Case(
        "csv_neither_utf8_nor_windows_1252",
        lambda: {"budgets/b.csv": budget("GM0453;2024;Ver\x81blijf;1,00;").replace("\x81".encode(), b"\x81")},
        "ENCODING_INVALID",
        None,
    ),
    Case(
        "csv_utf16_with_bom_and_odd_length",
        lambda: {"budgets/b.csv": budget(encoding="utf-16") + b"\x00"},
        "ENCODING_INVALID",
        None,
    ),
]


def stored_values(con: duckdb.DuckDBPyConnection) -> list[tuple[str, object]]:
    tables = con.execute(
        "select table_schema || '.' || table_name from information_schema.tables "
        "where table_schema in ('raw', 'audit') order by 1"
    ).fetchall()
    return [
        (table, value)
        for (table,) in tables
        for row in con.execute(f"select * from {table}").fetchall()  # noqa: S608 - names from the catalog
        for value in row
    ]


def assert_nothing_unfit_is_stored(con: duckdb.DuckDBPyConnection) -> None:
    """No control character (Unicode Cc, or a surrogate) in any text and no infinity or NaN in any number."""
    for table, value in stored_values(con):
        if isinstance(value, str):
            assert not any(unicodedata.category(char) in ("Cc", "Cs") for char in value), (table, value[:80])
        if isinstance(value, float):
            assert math.isfinite(value), (table, value)


@pytest.mark.parametrize("case", PARSER_EDGE_CASES, ids=lambda case: case.id)
def test_input_at_the_edge_of_its_parser_is_quarantined_with_its_reason(case, tmp_path, warehouse):
    [path] = land(tmp_path / "landing", case.files()).values()

    ingest_cbs_or_budget(warehouse, path)

    reason = quarantined_reason(warehouse, path, case.reason_code, case.record_ref)
    assert reason.startswith(f"{path}: ")
    assert len(reason) < len(str(path)) + 400, "a reason shows a value, never the whole of it"
    status = warehouse.execute("select status from audit.ingest_ledger where file_path = ?", [str(path)]).fetchone()
    assert status == (("rejected",) if case.record_ref is None else ("loaded",))
    if case.record_ref is not None:
        assert case.record_ref.split()[-1] in reason
        # The good first record or line of the file loads around the bad one.
        assert warehouse.execute("select count(*) from audit.ingest_ledger where records_accepted > 0").fetchone() == (
            1,
        )
    assert_invariants(warehouse, CBS_BUDGET_TABLES)
    assert_nothing_unfit_is_stored(warehouse)


@dataclass(frozen=True)
class GateCase:
    id: str
    files: dict[str, bytes]
    reason_code: str
    record_ref: str
    would_be: dict[str, object]
    """The raw row the record would have become, as changes to the file's first accepted row."""


DOOR_BEFORE_GATE_CASES = [
    GateCase(
        "negative_youth_count",
        kern(kerncijfers(youth("GM0453  ", -5))),
        "VALUE_NEGATIVE",
        "TypedDataSet ID 1",
        {"scope_code": "GM0453", "value": -5.0},
    ),
    GateCase(
        "period_without_status",
        kern(kerncijfers(youth("GM0392  ", 3000, "2024JJ00"), periods={"2023JJ00": "Definitief", "2024JJ00": None})),
        "STATUS_MISSING",
        "TypedDataSet ID 1",
        {"period_code": "2024JJ00", "period": "2024", "year": 2024, "status": None},
    ),
    GateCase(
        "second_record_with_the_same_keys",
        kern(kerncijfers(youth("GM0392", 9))),
        "DUPLICATE_KEY",
        "TypedDataSet ID 1",
        {"value": 9.0},
    ),
    GateCase(
        "population_of_a_quarter",
        {"cbs/03759ned_t.json": population(persons("10010   ", 4000, "2024KW01"))},
        "PERIOD_INVALID",
        "TypedDataSet ID 1",
        {"period_code": "2024KW01", "period_type": "quarter", "period": "2024-Q1", "age_key": "10010", "age_years": 0},
    ),
    GateCase(
        "negative_population",
        {"cbs/03759ned_t.json": population(persons("10011   ", -3))},
        "VALUE_NEGATIVE",
        "TypedDataSet ID 1",
        {"age_key": "10011", "age_years": 1, "persons": -3},
    ),
    GateCase(
        "municipality_key_gm12",
        {"cbs/85755NED_t.json": regions(region("GM12    "))},
        "REGION_NOT_SUPPORTED",
        "TypedDataSet ID 1",
        {"municipality_code": "GM12"},
    ),
    GateCase(
        "region_without_a_name",
        {"cbs/85755NED_t.json": regions(region("GM0453  ", name=None))},
        "VALUE_INVALID",
        "TypedDataSet ID 1",
        {"municipality_code": "GM0453", "region_name": None},
    ),
    GateCase(
        "iv3_figure_of_a_quarter",
        {"budgets/iv3_t.json": iv3(iv3_figure("GM0453  ", 10, "2024KW01"))},
        "PERIOD_INVALID",
        "TypedDataSet ID 1",
        {"municipality_code": "GM0453", "period_code": "2024KW01", "period_type": "quarter", "period": "2024-Q1"},
    ),
    GateCase(
        "iv3_second_jaarrekening_of_a_figure",
        {"budgets/iv3_t.json": iv3(iv3_figure("GM0392  ", 900, report="REK2"))},
        "DUPLICATE_KEY",
        "TypedDataSet ID 1",
        {"report_key": "REK2"},
    ),
    GateCase(
        "negative_budget_line",
        {"budgets/b.csv": budget("GM0453;2024;Verblijf;-100,00;")},
        "AMOUNT_NEGATIVE",
        "line 3",
        {"municipality_code": "GM0453", "perceel": "Verblijf", "amount_cents": -10000},
    ),
    GateCase(
        "budget_line_twice",
        {"budgets/b.csv": budget("GM0392;2024;Ambulant;5,00;")},
        "DUPLICATE_ROW",
        "line 3",
        {"amount_cents": 500},
    ),
]


@pytest.mark.parametrize("case", DOOR_BEFORE_GATE_CASES, ids=lambda case: case.id)
def test_the_door_quarantines_what_the_blocking_suite_on_the_raw_table_would_reject(case, tmp_path, warehouse):
    [path] = land(tmp_path / "landing", case.files).values()

    table = ingest_cbs_or_budget(warehouse, path)

    assert [(ref, code) for ref, code, *_ in quarantine_rows(warehouse, path)] == [(case.record_ref, case.reason_code)]
    suite = read_suite_file(EXPECTATIONS_DIR / f"{table}.json")
    accepted = warehouse.execute(f"select * from {table}").df()  # noqa: S608 - a raw table of ours
    assert validate(accepted, suite) == []
    would_have_been = pd.concat([accepted, accepted.iloc[[0]].assign(**case.would_be)], ignore_index=True)
    assert validate(would_have_been, suite), "the suite holds the rule the door enforced"
    assert_invariants(warehouse, CBS_BUDGET_TABLES)


FCT_BUDGET_ROW = {
    "municipality_code": "GM0392",
    "budget_line": "verblijf",
    "kind": "realisatie",
    "amount_cents": 85_000_000,
    "source": "CBS Iv3 45046NED",
    "status": "voorlopig",
}


@pytest.mark.parametrize(
    ("files", "reason_code"),
    [
        ({"budgets/iv3_t.json": iv3(iv3_figure("GM0453  ", 10, "2012JJ00"))}, "PERIOD_INVALID"),
        ({"budgets/b.csv": budget("GM0453;2014;Verblijf;100,00;")}, "YEAR_INVALID"),
        (
            kern(
                kerncijfers(
                    youth("GM0453  ", 7, "2014JJ00"), periods={"2023JJ00": "Definitief", "2014JJ00": "Definitief"}
                )
            ),
            "PERIOD_INVALID",
        ),
    ],
    ids=["iv3_2012", "region_budget_2014", "kerncijfers_2014"],
)
def test_a_year_before_the_jeugdwet_stops_at_the_door_not_at_the_fct_budget_suite(
    files, reason_code, tmp_path, warehouse
):
    """marts.fct_budget's blocking suite holds 2015-2100; before the Jeugdwet no youth-care figure or budget exists."""
    [path] = land(tmp_path / "landing", files).values()

    ingest_cbs_or_budget(warehouse, path)

    assert [code for _, code, *_ in quarantine_rows(warehouse, path)] == [reason_code]
    suite = read_suite_file(EXPECTATIONS_DIR / "marts.fct_budget.json")
    assert validate(pd.DataFrame([{**FCT_BUDGET_ROW, "year": 2024}]), suite) == []
    assert validate(pd.DataFrame([{**FCT_BUDGET_ROW, "year": 2014}]), suite)


def test_a_population_whose_ages_sum_above_its_total_is_quarantined_whole(tmp_path, warehouse):
    """marts.fct_population's blocking suite holds population_total >= each youth band: 23 ages 0-22 of 100 are
    2,300."""
    [wrong, right] = land(
        tmp_path / "landing",
        {
            "cbs/03759ned_wrong.json": youth_population(2299, 100),
            "cbs/03759ned_right.json": youth_population(2300, 100),
        },
    ).values()

    ingest_cbs_or_budget(warehouse, wrong)
    ingest_cbs_or_budget(warehouse, right)

    quarantined = quarantine_rows(warehouse, wrong)
    assert {code for _, code, *_ in quarantined} == {"POPULATION_TOTAL_BELOW_YOUTH"}
    assert sorted(ref for ref, *_ in quarantined) == sorted(f"TypedDataSet ID {n}" for n in range(24))
    assert "sum to 2300, more than the total 2299" in quarantined[0][2]
    assert quarantine_rows(warehouse, right) == []
    assert warehouse.execute("select count(*), sum(persons) from raw.cbs_population").fetchone() == (24, 4600)
    suite = read_suite_file(EXPECTATIONS_DIR / "marts.fct_population.json")
    row = {
        "municipality_code": "GM0392",
        "year": 2024,
        "youth_0_17": 1800,
        "youth_0_22": 2300,
        "youth_12_22": 1100,
        "population_total": 2300,
    }
    assert validate(pd.DataFrame([row]), suite) == []
    assert validate(pd.DataFrame([{**row, "population_total": 2299}]), suite)
    # A band whose ages are not all known is null; the total still bounds the bands that are known.
    assert validate(pd.DataFrame([{**row, "youth_0_22": None, "population_total": 1799}]), suite)
    assert_invariants(warehouse, CBS_BUDGET_TABLES)


@pytest.mark.parametrize(
    "content",
    [
        costs(
            ("Begroot_1", "Begrote kosten"), ("Gerealiseerd_2", "Gerealiseerde kosten"), ("PerInwoner_3", "Per inwoner")
        ),
        costs(("Begroot_1", "Begrote kosten"), ("Begroot_2", "Begrote kosten, bijgesteld")),
        costs(("Begroot_1", "Begrote kosten"), ("Gerealiseerd_2", "Gerealiseerde kosten"), extra_dimension=True),
    ],
    ids=["a_third_measure", "two_budgeted_measures", "a_second_dimension"],
)
def test_a_costs_table_fct_budget_cannot_key_is_rejected_whole(content, tmp_path, warehouse):
    """fct_budget makes one begroting and one realisatie line per municipality and year of 83454NED; a table that
    would give it two rows for one key is refused at the door instead of failing fct_budget's unique test."""
    [path] = land(tmp_path / "landing", {"cbs/83454NED_t.json": content}).values()

    ingest_cbs_or_budget(warehouse, path)

    [(record_ref, reason_code, reason, _)] = quarantine_rows(warehouse, path)
    assert (record_ref, reason_code) == (None, "SNAPSHOT_MALFORMED")
    assert "one begrote and one gerealiseerde measure" in reason
    assert_invariants(warehouse, CBS_BUDGET_TABLES)


def test_the_two_costs_measures_load(tmp_path, warehouse):
    [path] = land(
        tmp_path / "landing",
        {"cbs/83454NED_t.json": costs(("Begroot_1", "Begrote kosten"), ("Gerealiseerd_2", "Gerealiseerde kosten"))},
    ).values()

    ingest_cbs_or_budget(warehouse, path)

    assert warehouse.execute("select measure_key, value from raw.cbs_jeugdzorg_kosten order by 1").fetchall() == [
        ("Begroot_1", 100.0),
        ("Gerealiseerd_2", 100.0),
    ]


def test_edge_input_a_person_would_write_is_read_as_meant(tmp_path, warehouse):
    """What sits at the edge but is right: a UTF-8 BOM, a number as OData text, a record ID that is not a number,
    a UTF-16 CSV with a BOM, Windows-1252 text, a line break in a cell (Alt+Enter), a long toelichting."""
    # The record's own ID (kerncijfers' third) is text with NUL characters: its position names it instead.
    snapshot = b"\xef\xbb\xbf" + kerncijfers(youth("GM0453  ", " 12.50 "), youth("JZ11    ", 7, ID="\u0000x" * 1000))
    note = "regel een\r\nregel twee " + "t" * 300
    landed = land(
        tmp_path / "landing",
        {
            "cbs/85099NED_edge.json": snapshot,
            "budgets/utf16.csv": budget("GM0453;2024;Verblijf;7,00;", encoding="utf-16"),
            "budgets/cp1252.csv": budget("GM0453;2024;Pleegzorg caf\u00e9;3,00;", encoding="cp1252"),
            "budgets/layout.csv": budget(f'GM0453;2024;"Specialistisch\nen crisis";2,50;"{note}"'),
        },
    )
    for path in landed.values():
        ingest_cbs_or_budget(warehouse, path)

    assert warehouse.execute("select count(*) from audit.quarantine").fetchone() == (0,)
    assert warehouse.execute(
        "select scope_code, value, source_record from raw.cbs_jeugdzorg_kerncijfers order by 1"
    ).fetchall() == [
        ("GM0392", 3150.0, "TypedDataSet ID 0"),
        ("GM0453", 12.5, "TypedDataSet ID 1"),
        ("JZ11", 7.0, "TypedDataSet record 2"),
    ]
    lines = warehouse.execute(
        "select perceel, amount_cents, note, source_line from raw.budget_region_lines where perceel <> 'Ambulant' "
        "order by 1"
    ).fetchall()
    assert lines == [
        ("Pleegzorg caf\u00e9", 300, None, 3),
        ("Specialistisch en crisis", 250, ("regel een regel twee " + "t" * 300)[:200], 3),
        ("Verblijf", 700, None, 3),
    ]
    assert_invariants(warehouse, CBS_BUDGET_TABLES)
    assert_nothing_unfit_is_stored(warehouse)


def test_a_table_id_in_another_case_is_stored_as_the_suite_knows_it(tmp_path, warehouse):
    """raw.cbs_jeugdzorg_kerncijfers' suite holds table_id in {85099NED, 84134NED}: the same table written
    '85099ned' is stored as CBS spells it, so it loads and passes instead of stopping the marts."""
    [path] = land(
        tmp_path / "landing", kern(edited(kerncijfers(), '"Identifier": "85099NED"', '"Identifier": "85099ned"'))
    ).values()

    table = ingest_cbs_or_budget(warehouse, path)

    accepted = warehouse.execute(f"select * from {table}").df()  # noqa: S608 - a raw table of ours
    assert list(accepted["table_id"]) == ["85099NED"]
    assert validate(accepted, read_suite_file(EXPECTATIONS_DIR / f"{table}.json")) == []
    assert validate(accepted.assign(table_id="85099ned"), read_suite_file(EXPECTATIONS_DIR / f"{table}.json"))
    assert_invariants(warehouse, CBS_BUDGET_TABLES)

"""The publication: dbt's suppression (primary and complements) on hand-made marts, the public tier on the sample
proved not to give a withheld figure back, and the file move (only the public tier, an atomic swap, a failed publish
leaving the old copy)."""

import datetime as dt
from collections import defaultdict

import duckdb
import pytest

from orchestration.settings import Settings
from orchestration.warehouse.publish import PUBLIC_SCHEMA, PUBLISHED_FILENAME, publish_marts
from tests.publication_dbt import STEERING_MODELS, SUPPRESSION_MODELS, build_suppression, kpi_row
from tests.steering_dbt import query

CATALOGUE = [
    ("clients", "count", "count", "none"),
    ("share", "percent", "count", "count"),
    ("cost", "EUR", "EUR", "none"),
    ("cost_per_client", "EUR_per_client", "EUR", "count"),
    ("mean_days", "days", "days", "count"),
    ("allocations", "count", "count", "none"),
    ("referrer_share_01", "percent", "count", "count"),
    ("referrer_share_02", "percent", "count", "count"),
    ("referrer_share_05", "percent", "count", "count"),
    ("clients_growth", "percent", "count", "count"),
    ("clients_share", "percent", "count", "count"),
]
MUNICIPALITIES = [("GM0001", "JZ01"), ("GM0002", "JZ01"), ("GM0003", "JZ01"), ("GM0004", "JZ02")]

# Each case below has years of its own, so no sum or same-count rule joins rows of two cases.
PRIMARY = [
    ("clients", "count", 0, 0, None),
    ("clients", "count", 9, 9, None),
    ("clients", "count", 10, 10, None),
    ("share", "percent", 4.5, 9, 200),
    ("share", "percent", 5.0, 10, 200),
    ("share", "percent", 100.0, 10, 10),
    ("cost", "EUR", 3.0, 300, None),
    ("cost_per_client", "EUR_per_client", 100.0, 900, 9),
    ("cost_per_client", "EUR_per_client", 5.0, 5000, 10),
    ("mean_days", "days", 7.0, 14, 2),
]
"""Each row a provider of its own in 2030, so no two add up."""


def count_rows(kpi_id, scope_type, scope_code, period_type, counts: dict[str, int]) -> list[dict]:
    return [
        kpi_row(kpi_id, "count", n, n, None, scope_type, scope_code, period_type, period)
        for period, n in counts.items()
    ]


# A region JZ01 = 4 + 20 + 30: with only GM0001 withheld, 54 - 20 - 30 would give it away.
MUNICIPALITY_CASE = [
    *count_rows("clients", "municipality", "GM0001", "year", {"2010": 4}),
    *count_rows("clients", "municipality", "GM0002", "year", {"2010": 20}),
    *count_rows("clients", "municipality", "GM0003", "year", {"2010": 30}),
    *count_rows("clients", "region", "JZ01", "year", {"2010": 54}),
    *count_rows("clients", "municipality", "GM0004", "year", {"2010": 12}),
    *count_rows("clients", "region", "JZ02", "year", {"2010": 12}),
]
# GM0001 (JZ01) and GM0004 (JZ02) are in CBS size class 4: with GM0001's 4 withheld, class 4's 16 - 12 gives it away.
SIZE_CLASSES = [("GM0001", "4"), ("GM0002", "3"), ("GM0003", "3"), ("GM0004", "4")]
SIZE_CLASS_CASE = [
    *count_rows("clients", "municipality", "GM0001", "year", {"2024": 4}),
    *count_rows("clients", "municipality", "GM0004", "year", {"2024": 12}),
    *count_rows("clients", "size_class", "4", "year", {"2024": 16}),
]
QUARTER_CASE = [
    *count_rows("clients", "region", "JZ02", "quarter", {"2012-Q1": 12, "2012-Q2": 5, "2012-Q3": 15, "2012-Q4": 20}),
    *count_rows("clients", "region", "JZ02", "half_year", {"2012-H1": 17, "2012-H2": 35}),
    *count_rows("clients", "region", "JZ02", "year", {"2012": 52}),
]
# 50 allocations = 31 (01) + 15 (02) + 4 (05): with 05 withheld alone, 50 - 31 - 15 gives it away. The complement
# 02 keeps its 15 secret, so the growth rate a year later that publishes 15 as its denominator goes too; the one two
# years later stays, and the published denominator 50 is no secret.
REFERRER = ("region", "JZ02", "year")
REFERRER_CASE = [
    kpi_row("allocations", "count", 50, 50, None, *REFERRER, "2014"),
    kpi_row("referrer_share_01", "percent", 62, 31, 50, *REFERRER, "2014"),
    kpi_row("referrer_share_02", "percent", 30, 15, 50, *REFERRER, "2014"),
    kpi_row("referrer_share_05", "percent", 8, 4, 50, *REFERRER, "2014"),
    kpi_row("clients_growth", "percent", 20, 18, 15, *REFERRER, "2015"),
    kpi_row("clients_growth", "percent", 40, 21, 15, *REFERRER, "2016"),
]
# All regions together are all care forms together: 12 + 40 = 3 + 49.
TOTALS_CASE = [
    *count_rows("clients", "region", "JZ01", "year", {"2018": 12}),
    *count_rows("clients", "region", "JZ02", "year", {"2018": 40}),
    *count_rows("clients", "care_form", "crisis", "year", {"2018": 3}),
    *count_rows("clients", "care_form", "ambulant", "year", {"2018": 49}),
]
# A level left by a sum of doubles as 14.000000000000002 is still the 14 the share publishes as its numerator.
NOISE = ("municipality", "GM0009")
NOISE_CASE = [
    kpi_row("clients", "count", 4.0, None, None, *NOISE, "quarter", "2022-Q1"),
    kpi_row("clients", "count", 14.000000000000002, None, None, *NOISE, "quarter", "2022-Q2"),
    kpi_row("clients", "count", 18.0, None, None, *NOISE, "half_year", "2022-H1"),
    kpi_row("clients_share", "percent", 7.0, 14, 200, *NOISE, "quarter", "2022-Q2"),
]

# Steering: GM0001's clients are 4 in 2020-Q2 (withheld) and 25 in the other quarters; JZ01 is GM0001 + GM0002.
QUARTERS = [f"2020-Q{number}" for number in range(1, 5)]
GM1 = {"2020-Q1": 25, "2020-Q2": 4, "2020-Q3": 25, "2020-Q4": 25}
STEERING_CASE = [
    *count_rows("clients", "municipality", "GM0001", "quarter", GM1),
    *count_rows("clients", "municipality", "GM0002", "quarter", dict.fromkeys(QUARTERS, 30)),
    *count_rows("clients", "region", "JZ01", "quarter", {q: GM1[q] + 30 for q in QUARTERS}),
]


def steering_marts() -> dict[str, list[dict]]:
    signal = {"kpi_id": "clients", "status": "red", "severity": 1.0, "trend_values": "[1, 2]", "trend_slope": 0.5}
    signals = [
        {**signal, "scope_type": scope_type, "scope_code": code, "period": q, "value": value(q)}
        for scope_type, code, value in (
            ("municipality", "GM0002", lambda q: 30.0),
            ("region", "JZ01", lambda q: GM1[q] + 30.0),
        )
        for q in QUARTERS
    ]
    for row in signals:
        row["drivers"] = "GM0002 60%, GM0001 40%"
    driver = {"kpi_id": "clients", "scope_type": "region", "scope_code": "JZ01"}
    drivers = [
        row
        for q in QUARTERS
        for row in (
            {**driver, "period": q, "driver_type": "municipality", "driver_code": "GM0002", "contribution": 30.0,
             "share": 0.6, "driver_rank": 1, "small_count": False},
            {**driver, "period": q, "driver_type": "municipality", "driver_code": "GM0001", "contribution": 20.0,
             "share": 0.4, "driver_rank": 2, "small_count": False},
            # The provider's part of the region holds a small count in Q4: its contribution would reveal it.
            {**driver, "period": q, "driver_type": "provider", "driver_code": "98000001", "contribution": 50.0,
             "share": 1.0, "driver_rank": 1, "small_count": q == "2020-Q4"},
        )
    ]  # fmt: skip
    item = {"region_code": "JZ01", "item_type": "red_signal", "kpi_id": "clients", "question_nl": "Waarom?"}
    agenda = [
        {**item, "period": "2020-Q2", "item_rank": 1, "scope_type": "region", "scope_code": "JZ01",
         "summary_nl": "Rood. Grootste bijdragen: GM0002 60%."},
        {**item, "period": "2020-Q2", "item_rank": 2, "scope_type": "municipality", "scope_code": "GM0002",
         "summary_nl": "Rood."},
        {**item, "period": "2020-Q3", "item_rank": 1, "scope_type": "region", "scope_code": "JZ01",
         "summary_nl": "Rood. Grootste bijdragen: GM0002 60%."},
    ]  # fmt: skip
    return {"steering_signals": signals, "steering_drivers": drivers, "dialogue_agenda": agenda}


@pytest.fixture(scope="module")
def suppressed(tmp_path_factory):
    """Every case above in one warehouse, its suppression and public steering models built by dbt once."""
    db = tmp_path_factory.mktemp("suppression") / "warehouse.duckdb"
    primary = [kpi_row(*row, "provider", f"{number:08d}", "year", "2030") for number, row in enumerate(PRIMARY)]
    cases = (
        MUNICIPALITY_CASE + SIZE_CLASS_CASE + QUARTER_CASE + REFERRER_CASE + TOTALS_CASE + NOISE_CASE + STEERING_CASE
    )
    build_suppression(
        db,
        primary + cases,
        CATALOGUE,
        MUNICIPALITIES,
        steering_marts(),
        SUPPRESSION_MODELS + STEERING_MODELS,
        SIZE_CLASSES,
    )
    return db


def withheld_in(db, year: str) -> set[tuple]:
    """(kpi_id, scope_code, period) of the public kpi_values rows of `year` that are withheld."""
    return set(
        query(
            db,
            f"select kpi_id, scope_code, period from {PUBLIC_SCHEMA}.kpi_values "
            "where is_withheld and left(period, 4) = ?",
            [year],
        )
    )


def test_counts_below_the_threshold_and_rates_built_on_them_are_withheld(suppressed):
    rows = query(
        suppressed,
        f"select kpi_id, unit, value, suppressed, is_withheld from {PUBLIC_SCHEMA}.kpi_values where period = '2030'",
    )
    assert all(suppressed == is_withheld for *_, suppressed, is_withheld in rows)
    assert {(kpi, unit, v, s) for kpi, unit, v, s, _ in rows} == {
        ("clients", "count", 0.0, False),
        ("clients", "count", None, True),
        ("clients", "count", 10.0, False),
        ("share", "percent", None, True),
        ("share", "percent", 5.0, False),
        ("share", "percent", 100.0, False),
        ("cost", "EUR", 3.0, False),
        ("cost_per_client", "EUR_per_client", None, True),
        ("cost_per_client", "EUR_per_client", 5.0, False),
        ("mean_days", "days", None, True),
    }
    # The internal mart keeps exact values.
    assert query(suppressed, "select count(*) from marts.kpi_values where suppressed or value is null") == [(0,)]


def test_a_withheld_row_publishes_neither_value_nor_numerator_nor_denominator(suppressed):
    assert query(
        suppressed,
        f"select count(*) from {PUBLIC_SCHEMA}.kpi_values where is_withheld "
        "and (value is not null or numerator is not null or denominator is not null)",
    ) == [(0,)]


def test_a_municipality_withheld_alone_in_its_region_takes_the_next_smallest_with_it(suppressed):
    assert withheld_in(suppressed, "2010") == {("clients", "GM0001", "2010"), ("clients", "GM0002", "2010")}


def test_a_municipality_withheld_alone_in_its_size_class_takes_the_next_smallest_of_the_class(suppressed):
    assert withheld_in(suppressed, "2024") == {("clients", "GM0001", "2024"), ("clients", "GM0004", "2024")}


def test_a_quarter_withheld_alone_in_its_half_year_takes_the_next_smallest_quarter(suppressed):
    assert withheld_in(suppressed, "2012") == {("clients", "JZ02", "2012-Q1"), ("clients", "JZ02", "2012-Q2")}


def test_a_referrer_withheld_alone_takes_the_next_smallest_referrer_and_its_other_publications(suppressed):
    withheld = withheld_in(suppressed, "2014") | withheld_in(suppressed, "2015") | withheld_in(suppressed, "2016")
    assert withheld == {
        ("referrer_share_05", "JZ02", "2014"),
        ("referrer_share_02", "JZ02", "2014"),
        ("clients_growth", "JZ02", "2015"),
    }


def test_the_sums_over_care_forms_and_over_regions_protect_each_other(suppressed):
    assert withheld_in(suppressed, "2018") == {("clients", "crisis", "2018"), ("clients", "JZ01", "2018")}


def test_a_count_with_float_noise_is_matched_as_the_count(suppressed):
    assert withheld_in(suppressed, "2022") == {
        ("clients", "GM0009", "2022-Q1"),
        ("clients", "GM0009", "2022-Q2"),
        ("clients_share", "GM0009", "2022-Q2"),
    }


def test_periods_are_published_as_dates_too(suppressed):
    assert query(
        suppressed,
        f"select period, period_start_date, period_end_date from {PUBLIC_SCHEMA}.kpi_values "
        "where period in ('2012-Q4', '2012-H1', '2012') order by period",
    ) == [
        ("2012", dt.date(2012, 1, 1), dt.date(2012, 12, 31)),
        ("2012-H1", dt.date(2012, 1, 1), dt.date(2012, 6, 30)),
        ("2012-Q4", dt.date(2012, 10, 1), dt.date(2012, 12, 31)),
    ]


def test_the_steering_tables_withhold_every_repetition_of_a_withheld_kpi_value(suppressed):
    # GM0001 is 4 in Q2 and, as its region's only other municipality, GM0002 (30) is its complement; the region's Q2
    # is then the sum of two withheld rows and stays.
    signals = query(
        suppressed,
        f"select scope_code, period, value, status, no_data_reason, trend_values, drivers "
        f"from {PUBLIC_SCHEMA}.steering_signals order by scope_code, period",
    )
    drivers = query(
        suppressed,
        f"select period, driver_code, contribution, share from {PUBLIC_SCHEMA}.steering_drivers "
        "order by period, driver_code",
    )
    agenda = query(
        suppressed,
        f"select period, item_rank, scope_code, summary_nl from {PUBLIC_SCHEMA}.dialogue_agenda order by all",
    )
    listed = "GM0002 60%, GM0001 40%"
    assert signals == [
        ("GM0002", "2020-Q1", 30.0, "red", None, "[1, 2]", listed),
        ("GM0002", "2020-Q2", None, "no_data", "suppressed", None, None),
        ("GM0002", "2020-Q3", 30.0, "red", None, None, listed),
        ("GM0002", "2020-Q4", 30.0, "red", None, None, listed),
        ("JZ01", "2020-Q1", 55.0, "red", None, "[1, 2]", listed),
        ("JZ01", "2020-Q2", 34.0, "red", None, "[1, 2]", None),
        ("JZ01", "2020-Q3", 55.0, "red", None, "[1, 2]", listed),
        ("JZ01", "2020-Q4", 55.0, "red", None, "[1, 2]", None),
    ]
    assert [row[:2] for row in drivers if row[2] is None or row[3] is None] == [
        ("2020-Q2", "GM0001"),
        ("2020-Q2", "GM0002"),
        ("2020-Q4", "98000001"),
    ]
    assert agenda == [
        ("2020-Q2", 1, "JZ01", "Rood."),
        ("2020-Q3", 1, "JZ01", "Rood. Grootste bijdragen: GM0002 60%."),
    ]


PUBLIC_TABLES = {
    "kpi_values", "dim_kpi", "steering_signals", "steering_drivers", "dialogue_agenda", "cost_variance",
    "budget_forecast", "provider_revenue_forecast", "fct_budget", "fct_population", "fct_cbs_indicator",
    "dim_municipality", "dim_region", "dim_care_form", "dim_product", "dim_provider", "dim_referrer", "dim_date",
    "kpi_coverage",
}  # fmt: skip
CLIENT_LEVEL_COLUMNS = {
    "client_key", "birth_year", "gender_code", "trajectory_id", "allocation_number", "reference_number",
    "declaration_number", "source_line", "source_record", "file_path",
}  # fmt: skip

# Every relation by which published kpi_values rows add up (the whole first, then its parts), written from the
# definitions in docs/kpis.md, not from the dbt models: each names the group and which of its rows is the whole.
COUNTED = """
    select kpi.*, coalesce(municipality.region_code, kpi.scope_code) as region_code
    from kpi_values as kpi
    inner join dim_kpi as catalogue on kpi.kpi_id = catalogue.kpi_id
    left join dim_municipality as municipality
        on kpi.scope_type = 'municipality' and kpi.scope_code = municipality.municipality_code
    where 'count' in (catalogue.unit, catalogue.numerator_kind, catalogue.denominator_kind)
"""
HALF = "left(period, 4) || '-H' || case when right(period, 1) in ('1', '2') then '1' else '2' end"
RELATIONS = {
    "a region and its municipalities": (
        "kpi_id, region_code, period",
        "scope_type in ('region', 'municipality')",
        "scope_type = 'region'",
    ),
    "a year and its quarters": (
        "kpi_id, scope_type, scope_code, left(period, 4)",
        "period_type in ('year', 'quarter') and scope_type <> 'nl'",
        "period_type = 'year'",
    ),
    "a year and its half-years": (
        "kpi_id, scope_type, scope_code, left(period, 4)",
        "period_type in ('year', 'half_year') and scope_type <> 'nl'",
        "period_type = 'year'",
    ),
    "a half-year and its quarters": (
        f"kpi_id, scope_type, scope_code, case when period_type = 'half_year' then period else {HALF} end",
        "period_type in ('half_year', 'quarter') and scope_type <> 'nl'",
        "period_type = 'half_year'",
    ),
    "the regions and the care forms together": (
        "kpi_id, period",
        "scope_type in ('region', 'care_form')",
        "scope_type = 'region'",
    ),
    "the regions and the providers together": (
        "kpi_id, period",
        "scope_type in ('region', 'provider')",
        "scope_type = 'region'",
    ),
    "a scope's allocations and its referrer shares": (
        "scope_type, scope_code, period",
        "kpi_id = 'allocations' or starts_with(kpi_id, 'referrer_share_')",
        "kpi_id = 'allocations'",
    ),
}


COUNTS = """
    select kpi.scope_type, kpi.scope_code, kpi.period_type, kpi.period,
        case when catalogue.unit = 'count' then round(kpi.value, 2) end,
        case when catalogue.numerator_kind = 'count' then kpi.numerator end,
        case when catalogue.denominator_kind = 'count' then kpi.denominator end
    from {schema}kpi_values as kpi inner join {schema}dim_kpi as catalogue using (kpi_id)
"""


def test_no_combination_of_published_tables_gives_a_withheld_figure_back(sample_run):
    """The published file as a whole: only the public tier, no client-level row or column; in no sum of published
    KPI rows exactly one row withheld; no withheld count published again by another row, nor by a steering signal,
    driver or agenda item; every KPI row kept (withheld rows are nulls, not gaps whose count would tell)."""
    published = sample_run["warehouse"] / "published" / PUBLISHED_FILENAME
    with duckdb.connect(str(published), read_only=True) as con:
        columns = con.execute("select table_name, column_name from duckdb_columns() where not internal").fetchall()
        assert {table for table, _ in columns} == PUBLIC_TABLES
        assert {column for _, column in columns} & CLIENT_LEVEL_COLUMNS == set()

        con.execute(f"create temporary view counted as {COUNTED}")
        assert con.execute("select count(*) from counted where is_withheld").fetchone()[0] > 0
        for relation, (group, members, whole) in RELATIONS.items():
            lone = con.execute(
                f"select {group} from counted where {members} group by all "
                f"having count(*) filter (where {whole}) > 0 and count(*) filter (where not ({whole})) > 0 "
                "and count(*) filter (where is_withheld) = 1"
            ).fetchall()
            assert lone == [], relation

        withheld_quarters = set(
            con.execute(
                "select kpi_id, scope_type, scope_code, period from kpi_values "
                "where is_withheld and period_type = 'quarter'"
            ).fetchall()
        )
        signals = con.execute(
            "select kpi_id, scope_type, scope_code, period, value, severity, status, drivers from steering_signals"
        ).fetchall()
        repeated = [row for row in signals if tuple(row[:4]) in withheld_quarters]
        assert repeated and all(row[4:] == (None, None, "no_data", None) for row in repeated)
        drivers = con.execute(
            "select kpi_id, driver_type, driver_code, period, scope_type, scope_code, contribution, share "
            "from steering_drivers"
        ).fetchall()
        for kpi_id, driver_type, driver_code, period, scope_type, scope_code, contribution, share in drivers:
            if {
                (kpi_id, driver_type, driver_code, period),
                (kpi_id, scope_type, scope_code, period),
            } & withheld_quarters:
                assert (contribution, share) == (None, None)
        # The contributions of a signal's drivers of one type add up to its deviation: never one withheld alone.
        groups = defaultdict(set)
        for kpi_id, driver_type, _, period, scope_type, scope_code, contribution, _ in drivers:
            groups[(kpi_id, scope_type, scope_code, period, driver_type)].add(contribution is None)
        assert [group for group, withheld in groups.items() if withheld == {True, False}] == []
        assert con.execute(
            "select count(*) from dialogue_agenda as item inner join steering_signals as signal "
            "using (kpi_id, scope_type, scope_code, period) "
            "where signal.status = 'no_data' "
            "or (signal.drivers is null and item.summary_nl like '%Grootste bijdragen%')"
        ).fetchone() == (0,)
        published_kpi_rows = con.execute("select count(*) from kpi_values").fetchone()[0]
    assert query(sample_run["db"], "select count(*) from marts.kpi_values") == [(published_kpi_rows,)]

    # A small count, published again by another row of its scope in its period or a year later (a share's
    # numerator, a growth rate's denominator), would give it away.
    secrets = {
        (scope_type, scope_code, period_type, when, float(count))
        for scope_type, scope_code, period_type, period, *counts in query(
            sample_run["db"], COUNTS.format(schema="marts.")
        )
        for count in counts
        if count is not None and 0 < count < Settings.from_env().suppression_threshold
        for when in (period, f"{int(period[:4]) + 1}{period[4:]}")
    }
    with duckdb.connect(str(published), read_only=True) as con:
        shown = con.execute(COUNTS.format(schema="") + " where not kpi.is_withheld").fetchall()
    assert secrets
    assert {(*row[:4], float(count)) for row in shown for count in row[4:] if count is not None} & secrets == set()


def make_warehouse(path, marker: str) -> None:
    """A warehouse with a public tier of one table and marts the public tier must not carry."""
    with duckdb.connect(str(path)) as con:
        con.execute(f"create schema {PUBLIC_SCHEMA}")
        con.execute(f"create table {PUBLIC_SCHEMA}.dim_marker as select ? as marker", [marker])
        con.execute(f"create table {PUBLIC_SCHEMA}.kpi_values as select * from range(3) as t(n) order by n desc")
        con.execute("create schema marts")
        con.execute("create table marts.fct_trajectory as select 'client-1' as client_key")


def test_only_the_public_tier_is_published_sorted(tmp_path):
    make_warehouse(tmp_path / "w.duckdb", "v1")
    tables = publish_marts(tmp_path / "w.duckdb", tmp_path / "published")
    assert list(tables.items()) == [("dim_marker", 1), ("kpi_values", 3)]
    with duckdb.connect(str(tmp_path / "published" / PUBLISHED_FILENAME), read_only=True) as con:
        assert con.execute("select table_name from duckdb_tables() order by 1").fetchall() == [
            ("dim_marker",),
            ("kpi_values",),
        ]
        assert con.execute("select n from marts.kpi_values").fetchall() == [(0,), (1,), (2,)]


def test_a_warehouse_without_a_public_tier_publishes_nothing(tmp_path):
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        con.execute("create schema marts")
        con.execute("create table marts.kpi_values as select 1 as n")
    with pytest.raises(ValueError, match=PUBLIC_SCHEMA):
        publish_marts(tmp_path / "w.duckdb", tmp_path / "published")
    assert list((tmp_path / "published").iterdir()) == []


def test_a_reader_of_the_old_copy_keeps_a_consistent_view_while_a_new_one_is_published(tmp_path):
    published = tmp_path / "published" / PUBLISHED_FILENAME
    make_warehouse(tmp_path / "w1.duckdb", "v1")
    publish_marts(tmp_path / "w1.duckdb", tmp_path / "published")
    reader = duckdb.connect(str(published), read_only=True)
    make_warehouse(tmp_path / "w2.duckdb", "v2")
    publish_marts(tmp_path / "w2.duckdb", tmp_path / "published")
    assert reader.execute("select marker from marts.dim_marker").fetchone() == ("v1",)
    reader.close()
    with duckdb.connect(str(published), read_only=True) as fresh:
        assert fresh.execute("select marker from marts.dim_marker").fetchone() == ("v2",)


def test_a_failed_publish_leaves_the_old_copy_and_no_partial_file(tmp_path):
    make_warehouse(tmp_path / "w1.duckdb", "v1")
    publish_marts(tmp_path / "w1.duckdb", tmp_path / "published")
    broken = tmp_path / "broken.duckdb"
    broken.write_bytes(b"this is not a duckdb file")
    with pytest.raises(duckdb.Error):
        publish_marts(broken, tmp_path / "published")
    assert [path.name for path in (tmp_path / "published").iterdir()] == [PUBLISHED_FILENAME]
    with duckdb.connect(str(tmp_path / "published" / PUBLISHED_FILENAME), read_only=True) as con:
        assert con.execute("select marker from marts.dim_marker").fetchone() == ("v1",)

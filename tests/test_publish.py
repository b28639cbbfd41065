"""Publishing the marts: small-number suppression, an atomic swap, and a failed publish leaving the old copy."""

import duckdb
import pytest

from orchestration.warehouse.publish import PUBLISHED_FILENAME, publish_marts


def make_warehouse(path, kpi_rows, marker: str) -> None:
    """A warehouse holding kpi_values rows (kpi_id, unit, value, numerator, denominator[, scope_type, scope_code,
    period_type, period]); rows without a scope each get a provider of their own in 2024, so no two add up."""
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.kpi_values (kpi_id varchar, scope_type varchar, scope_code varchar, "
            "period_type varchar, period varchar, unit varchar, value decimal(18, 2), numerator decimal(18, 2), "
            "denominator decimal(18, 2), suppressed boolean)"
        )
        for number, row in enumerate(kpi_rows):
            kpi_id, unit, value, numerator, denominator, *scope = row
            scope = scope or ["provider", f"{number:08d}", "year", "2024"]
            con.execute(
                "insert into marts.kpi_values values (?, ?, ?, ?, ?, ?, ?, ?, ?, false)",
                [kpi_id, *scope, unit, value, numerator, denominator],
            )
        con.execute(
            "create table marts.dim_kpi "
            "(kpi_id varchar, unit varchar, numerator_kind varchar, denominator_kind varchar)"
        )
        con.executemany("insert into marts.dim_kpi values (?, ?, ?, ?)", CATALOGUE)
        con.execute("create table marts.dim_municipality (municipality_code varchar, region_code varchar)")
        con.executemany("insert into marts.dim_municipality values (?, ?)", MUNICIPALITIES)
        con.execute("create table marts.dim_marker as select ? as marker", [marker])


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
]
MUNICIPALITIES = [("GM0001", "JZ01"), ("GM0002", "JZ01"), ("GM0003", "JZ01"), ("GM0004", "JZ02")]

ROWS = [
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


def test_counts_below_the_threshold_and_rates_built_on_them_are_suppressed(tmp_path):
    make_warehouse(tmp_path / "w.duckdb", ROWS, "v1")
    publish_marts(tmp_path / "w.duckdb", tmp_path / "published", threshold=10)
    with duckdb.connect(str(tmp_path / "published" / PUBLISHED_FILENAME), read_only=True) as con:
        rows = con.execute("select kpi_id, unit, value, suppressed from marts.kpi_values order by all").fetchall()
    values = {(kpi, unit, float(v) if v is not None else None, s) for kpi, unit, v, s in rows}
    assert values == {
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
    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from marts.kpi_values where suppressed").fetchone() == (0,)


def test_a_reader_of_the_old_copy_keeps_a_consistent_view_while_a_new_one_is_published(tmp_path):
    published = tmp_path / "published" / PUBLISHED_FILENAME
    make_warehouse(tmp_path / "w1.duckdb", ROWS, "v1")
    publish_marts(tmp_path / "w1.duckdb", tmp_path / "published", threshold=10)
    reader = duckdb.connect(str(published), read_only=True)
    make_warehouse(tmp_path / "w2.duckdb", ROWS, "v2")
    publish_marts(tmp_path / "w2.duckdb", tmp_path / "published", threshold=10)
    assert reader.execute("select marker from marts.dim_marker").fetchone() == ("v1",)
    reader.close()
    with duckdb.connect(str(published), read_only=True) as fresh:
        assert fresh.execute("select marker from marts.dim_marker").fetchone() == ("v2",)


def test_a_failed_publish_leaves_the_old_copy_and_no_partial_file(tmp_path):
    make_warehouse(tmp_path / "w1.duckdb", ROWS, "v1")
    publish_marts(tmp_path / "w1.duckdb", tmp_path / "published", threshold=10)
    broken = tmp_path / "broken.duckdb"
    broken.write_bytes(b"this is not a duckdb file")
    with pytest.raises(duckdb.Error):
        publish_marts(broken, tmp_path / "published", threshold=10)
    assert [path.name for path in (tmp_path / "published").iterdir()] == [PUBLISHED_FILENAME]
    with duckdb.connect(str(tmp_path / "published" / PUBLISHED_FILENAME), read_only=True) as con:
        assert con.execute("select marker from marts.dim_marker").fetchone() == ("v1",)


def published_suppression(tmp_path, rows) -> dict[tuple, bool]:
    """Publish the rows; returns (kpi_id, scope_type, scope_code, period) -> suppressed."""
    make_warehouse(tmp_path / "w.duckdb", rows, "v1")
    publish_marts(tmp_path / "w.duckdb", tmp_path / "published", threshold=10)
    with duckdb.connect(str(tmp_path / "published" / PUBLISHED_FILENAME), read_only=True) as con:
        found = con.execute("select kpi_id, scope_type, scope_code, period, suppressed from marts.kpi_values")
        return {tuple(row[:4]): row[4] for row in found.fetchall()}


def withheld(suppression: dict[tuple, bool]) -> set[tuple]:
    return {key for key, suppressed in suppression.items() if suppressed}


def test_a_municipality_withheld_alone_in_its_region_takes_the_next_smallest_with_it(tmp_path):
    # Region JZ01 = 4 + 20 + 30: with only GM0001 withheld, 54 - 20 - 30 would give it away.
    rows = [
        ("clients", "count", 4, 4, None, "municipality", "GM0001", "year", "2024"),
        ("clients", "count", 20, 20, None, "municipality", "GM0002", "year", "2024"),
        ("clients", "count", 30, 30, None, "municipality", "GM0003", "year", "2024"),
        ("clients", "count", 54, 54, None, "region", "JZ01", "year", "2024"),
        ("clients", "count", 12, 12, None, "municipality", "GM0004", "year", "2024"),
        ("clients", "count", 12, 12, None, "region", "JZ02", "year", "2024"),
    ]
    assert withheld(published_suppression(tmp_path, rows)) == {
        ("clients", "municipality", "GM0001", "2024"),
        ("clients", "municipality", "GM0002", "2024"),
    }


def test_a_quarter_withheld_alone_in_its_half_year_takes_the_next_smallest_quarter(tmp_path):
    quarters = {"2024-Q1": 12, "2024-Q2": 5, "2024-Q3": 15, "2024-Q4": 20}
    wholes = [("half_year", "2024-H1", 17), ("half_year", "2024-H2", 35), ("year", "2024", 52)]
    rows = [("clients", "count", n, n, None, "region", "JZ02", "quarter", q) for q, n in quarters.items()]
    rows += [("clients", "count", n, n, None, "region", "JZ02", kind, period) for kind, period, n in wholes]
    assert withheld(published_suppression(tmp_path, rows)) == {
        ("clients", "region", "JZ02", "2024-Q1"),
        ("clients", "region", "JZ02", "2024-Q2"),
    }


def test_a_referrer_withheld_alone_takes_the_next_smallest_referrer_and_its_other_publications(tmp_path):
    # 50 allocations = 31 (01) + 15 (02) + 4 (05): with 05 withheld alone, 50 - 31 - 15 gives it away. The
    # complement 02 keeps its 15 secret, so the growth rate a year later that publishes 15 as its denominator goes
    # too; the published denominator 50 is no secret.
    scope = ("region", "JZ02", "year")
    rows = [
        ("allocations", "count", 50, 50, None, *scope, "2024"),
        ("referrer_share_01", "percent", 62, 31, 50, *scope, "2024"),
        ("referrer_share_02", "percent", 30, 15, 50, *scope, "2024"),
        ("referrer_share_05", "percent", 8, 4, 50, *scope, "2024"),
        ("clients_growth", "percent", 20, 18, 15, *scope, "2025"),
        ("clients_growth", "percent", 40, 21, 15, *scope, "2026"),
    ]
    assert withheld(published_suppression(tmp_path, rows)) == {
        ("referrer_share_05", "region", "JZ02", "2024"),
        ("referrer_share_02", "region", "JZ02", "2024"),
        ("clients_growth", "region", "JZ02", "2025"),
    }


def test_the_sums_over_care_forms_and_over_regions_protect_each_other(tmp_path):
    # All regions together are all care forms together: 12 + 40 = 3 + 49.
    rows = [
        ("clients", "count", 12, 12, None, "region", "JZ01", "year", "2024"),
        ("clients", "count", 40, 40, None, "region", "JZ02", "year", "2024"),
        ("clients", "count", 3, 3, None, "care_form", "crisis", "year", "2024"),
        ("clients", "count", 49, 49, None, "care_form", "ambulant", "year", "2024"),
    ]
    assert withheld(published_suppression(tmp_path, rows)) == {
        ("clients", "care_form", "crisis", "2024"),
        ("clients", "region", "JZ01", "2024"),
    }


def test_the_steering_marts_withhold_every_repetition_of_a_withheld_kpi_value(tmp_path):
    # GM0001's clients: 4 in 2024-Q2 (withheld), 25 in the other quarters; JZ01 is GM0001 + GM0002.
    quarters = ["2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"]
    gm1 = {"2024-Q1": 25, "2024-Q2": 4, "2024-Q3": 25, "2024-Q4": 25}
    rows = [("clients", "count", n, n, None, "municipality", "GM0001", "quarter", q) for q, n in gm1.items()]
    rows += [("clients", "count", 30, 30, None, "municipality", "GM0002", "quarter", q) for q in quarters]
    rows += [("clients", "count", gm1[q] + 30, gm1[q] + 30, None, "region", "JZ01", "quarter", q) for q in quarters]
    make_warehouse(tmp_path / "w.duckdb", rows, "v1")
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        con.execute(
            "create table marts.steering_signals (kpi_id varchar, scope_type varchar, scope_code varchar, "
            "period varchar, value double, status varchar, no_data_reason varchar, severity double, "
            "trend_values varchar, trend_slope double, drivers varchar)"
        )
        for scope_code, values in (
            ("GM0002", dict.fromkeys(quarters, 30)),
            ("JZ01", {q: gm1[q] + 30 for q in quarters}),
        ):
            scope_type = "region" if scope_code == "JZ01" else "municipality"
            for q in quarters:
                con.execute(
                    "insert into marts.steering_signals values ('clients', ?, ?, ?, ?, 'red', null, 1.0, "
                    "'[1, 2]', 0.5, 'GM0002 60%, GM0001 40%')",
                    [scope_type, scope_code, q, values[q]],
                )
        con.execute(
            "create table marts.steering_drivers (kpi_id varchar, scope_type varchar, scope_code varchar, "
            "period varchar, driver_type varchar, driver_code varchar, contribution double, share double, "
            "driver_rank integer, small_count boolean)"
        )
        for q in quarters:
            con.execute(
                "insert into marts.steering_drivers values ('clients', 'region', 'JZ01', ?, 'municipality', "
                "'GM0002', 30, 0.6, 1, false), ('clients', 'region', 'JZ01', ?, 'municipality', 'GM0001', 20, 0.4, 2, "
                "false), ('clients', 'region', 'JZ01', ?, 'provider', '98000001', 50, 1.0, 1, ?)",
                [q, q, q, q == "2024-Q4"],
            )
        con.execute(
            "create table marts.dialogue_agenda (region_code varchar, provider_agb varchar, period varchar, "
            "item_rank integer, kpi_id varchar, scope_type varchar, scope_code varchar, summary_nl varchar)"
        )
        con.execute(
            "insert into marts.dialogue_agenda values "
            "('JZ01', null, '2024-Q2', 1, 'clients', 'region', 'JZ01', 'Rood. Grootste bijdragen: GM0002 60%.'), "
            "('JZ01', null, '2024-Q2', 2, 'clients', 'municipality', 'GM0002', 'Rood.'), "
            "('JZ01', null, '2024-Q3', 1, 'clients', 'region', 'JZ01', 'Rood. Grootste bijdragen: GM0002 60%.')"
        )
    publish_marts(tmp_path / "w.duckdb", tmp_path / "published", threshold=10)
    with duckdb.connect(str(tmp_path / "published" / PUBLISHED_FILENAME), read_only=True) as con:
        # GM0001 is 4 in Q2 and, as its region's only other municipality, GM0002 (30) is its complement; the
        # region's Q2 is then the sum of two withheld rows and stays.
        signals = con.execute(
            "select scope_code, period, value, status, trend_values, drivers from marts.steering_signals "
            "order by scope_code, period"
        ).fetchall()
        agenda = con.execute(
            "select period, item_rank, scope_code, summary_nl from marts.dialogue_agenda order by all"
        ).fetchall()
        drivers = con.execute(
            "select period, driver_code, share from marts.steering_drivers order by period, driver_code"
        ).fetchall()
    assert signals == [
        ("GM0002", "2024-Q1", 30.0, "red", "[1, 2]", "GM0002 60%, GM0001 40%"),
        ("GM0002", "2024-Q2", None, "no_data", None, None),
        ("GM0002", "2024-Q3", 30.0, "red", None, "GM0002 60%, GM0001 40%"),
        ("GM0002", "2024-Q4", 30.0, "red", None, "GM0002 60%, GM0001 40%"),
        ("JZ01", "2024-Q1", 55.0, "red", "[1, 2]", "GM0002 60%, GM0001 40%"),
        ("JZ01", "2024-Q2", 34.0, "red", "[1, 2]", None),
        ("JZ01", "2024-Q3", 55.0, "red", "[1, 2]", "GM0002 60%, GM0001 40%"),
        ("JZ01", "2024-Q4", 55.0, "red", "[1, 2]", None),
    ]
    # The provider's part of the region holds a small count in Q4: its contribution would reveal it.
    assert [row for row in drivers if row[2] is None] == [
        ("2024-Q2", "GM0001", None),
        ("2024-Q2", "GM0002", None),
        ("2024-Q4", "98000001", None),
    ]
    assert agenda == [
        ("2024-Q2", 1, "JZ01", "Rood."),
        ("2024-Q3", 1, "JZ01", "Rood. Grootste bijdragen: GM0002 60%."),
    ]

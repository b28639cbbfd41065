"""Publishing the marts: small-number suppression, an atomic swap, and a failed publish leaving the old copy."""

import duckdb
import pytest

from orchestration.warehouse.publish import PUBLISHED_FILENAME, publish_marts


def make_warehouse(path, kpi_rows, marker: str) -> None:
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.kpi_values (kpi_id varchar, unit varchar, value decimal(18, 2), "
            "numerator decimal(18, 2), denominator decimal(18, 2), suppressed boolean)"
        )
        con.executemany("insert into marts.kpi_values values (?, ?, ?, ?, ?, false)", kpi_rows)
        con.execute(
            "create table marts.dim_kpi "
            "(kpi_id varchar, unit varchar, numerator_kind varchar, denominator_kind varchar)"
        )
        con.executemany("insert into marts.dim_kpi values (?, ?, ?, ?)", CATALOGUE)
        con.execute("create table marts.dim_marker as select ? as marker", [marker])


CATALOGUE = [
    ("clients", "count", "count", "none"),
    ("share", "percent", "count", "count"),
    ("cost", "EUR", "EUR", "none"),
    ("cost_per_client", "EUR_per_client", "EUR", "count"),
    ("mean_days", "days", "days", "count"),
]

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

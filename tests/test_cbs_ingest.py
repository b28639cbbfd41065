"""CBS ingest assets on hand-written snapshots: quarantine of malformed files and records, absent source, the
population and region readers, and the auto-mode fallback when CBS is unreachable."""

from __future__ import annotations

import dagster as dg
import duckdb

from orchestration.cbs.datasets import POPULATION, REGIONS, read_dataset_file
from orchestration.defs.ingest.cbs_and_budgets import cbs_and_budgets
from orchestration.defs.resources import CbsResource, WarehouseResource
from tests.cbs_documents import bundle, kerncijfers, keys, prop, write

KERNCIJFERS_KEY = dg.AssetKey(["raw", "cbs_jeugdzorg_kerncijfers"])


def materialize(cbs: CbsResource | None = None) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [cbs_and_budgets],
        selection=[KERNCIJFERS_KEY],
        resources={"warehouse": WarehouseResource(), "cbs": cbs or CbsResource()},
        instance=dg.DagsterInstance.ephemeral(),
    )


def query(warehouse_dir, sql: str):
    with duckdb.connect(str(warehouse_dir / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_malformed_snapshot_and_bad_record_are_quarantined_with_file_and_record(warehouse_env):
    warehouse_dir, landing_dir = warehouse_env
    broken = write(landing_dir / "cbs" / "85099NED_broken.json", '{"TableInfos": {"value": [')
    good_rows = [
        {
            "RegioS": "GM0392  ",
            "Perioden": "2023JJ00",
            "JongerenMetJeugdhulp_1": 3150,
            "JongerenMetJeugdhulpRelatief_2": 9.8,
        },
        {
            "RegioS": "GM0392  ",
            "Perioden": "2023MM01",
            "JongerenMetJeugdhulp_1": 3100,
            "JongerenMetJeugdhulpRelatief_2": 9.7,
        },
        {
            "RegioS": "PV27    ",
            "Perioden": "2023JJ00",
            "JongerenMetJeugdhulp_1": 9,
            "JongerenMetJeugdhulpRelatief_2": 1.0,
        },
    ]
    document = kerncijfers(good_rows, periods={"2023JJ00": "Definitief", "2023MM01": "Voorlopig"})
    document["RegioS"]["value"].append({"Key": "PV27    ", "Title": "Noord-Holland"})
    mixed = write(landing_dir / "cbs" / "85099NED_2023.json", document)

    result = materialize()

    assert result.success
    quarantine = query(
        warehouse_dir, "select file_path, record_ref, reason_code, reason from audit.quarantine order by all"
    )
    assert [(path, ref, code) for path, ref, code, _ in quarantine] == [
        (str(mixed), "TypedDataSet ID 1", "PERIOD_INVALID"),
        (str(mixed), "TypedDataSet ID 2", "REGION_NOT_SUPPORTED"),
        (str(broken), None, "SNAPSHOT_NOT_JSON"),
    ]
    assert all(reason.startswith(path) for path, _, _, reason in quarantine)
    assert "2023MM01" in quarantine[0][3]
    # The good record's two measures load; the ledger balances per file.
    assert query(
        warehouse_dir, "select scope_code, measure_key, value from raw.cbs_jeugdzorg_kerncijfers order by 2"
    ) == [
        ("GM0392", "JongerenMetJeugdhulpRelatief_2", 9.8),
        ("GM0392", "JongerenMetJeugdhulp_1", 3150.0),
    ]
    ledger = query(
        warehouse_dir,
        "select file_path, message_type, status, records_read, records_accepted, records_quarantined "
        "from audit.ingest_ledger order by file_path",
    )
    assert ledger == [
        (str(mixed), "CBS:85099NED", "loaded", 4, 2, 2),
        (str(broken), "CBS:85099NED", "rejected", 0, 0, 0),
    ]


def test_absent_cbs_source_is_a_warning_not_a_failure(warehouse_env):
    warehouse_dir, _ = warehouse_env

    result = materialize()

    assert result.success
    assert query(warehouse_dir, "select count(*) from raw.cbs_jeugdzorg_kerncijfers") == [(0,)]


def test_auto_mode_falls_back_to_snapshots_when_cbs_is_unreachable(warehouse_env, monkeypatch):
    warehouse_dir, landing_dir = warehouse_env
    row = {
        "RegioS": "NL01    ",
        "Perioden": "2023JJ00",
        "JongerenMetJeugdhulp_1": 369950,
        "JongerenMetJeugdhulpRelatief_2": 11.2,
    }
    write(landing_dir / "cbs" / "85099NED_2023.json", kerncijfers([row]))
    monkeypatch.setenv("CBS_MODE", "auto")
    # Port 9 (discard) on 127.0.0.1: nothing listens, the connection is refused at once.
    monkeypatch.setenv("CBS_BASE_URL", "http://127.0.0.1:9/odata")

    result = materialize(CbsResource(retries=0, timeout_seconds=1.0))

    assert result.success
    assert query(warehouse_dir, "select scope_code, value from raw.cbs_jeugdzorg_kerncijfers order by 2") == [
        ("NL01", 11.2),
        ("NL01", 369950.0),
    ]


def population_table(ages: range) -> dict:
    leeftijd = [("10000   ", "Totaal"), *[(f"{10010 + age:<8}", f"{age} jaar") for age in ages]]
    leeftijd += [("70100   ", "0 tot 5 jaar"), ("10033   ", "23 jaar")]
    rows = [
        {
            "Geslacht": "T001038 ",
            "Leeftijd": "10000   ",
            "RegioS": "GM0944  ",
            "Perioden": "2024JJ00",
            "Bevolking_1": 7900,
        }
    ]
    rows += [
        {
            "Geslacht": "T001038 ",
            "Leeftijd": f"{10010 + age:<8}",
            "RegioS": "GM0944  ",
            "Perioden": "2024JJ00",
            "Bevolking_1": 100 + age,
        }
        for age in ages
    ]
    # Groups, older ages and a split by sex are not part of the dataset.
    rows += [
        {
            "Geslacht": "T001038 ",
            "Leeftijd": "70100   ",
            "RegioS": "GM0944  ",
            "Perioden": "2024JJ00",
            "Bevolking_1": 555,
        },
        {
            "Geslacht": "T001038 ",
            "Leeftijd": "10033   ",
            "RegioS": "GM0944  ",
            "Perioden": "2024JJ00",
            "Bevolking_1": 99,
        },
        {
            "Geslacht": "3000    ",
            "Leeftijd": "10010   ",
            "RegioS": "GM0944  ",
            "Perioden": "2024JJ00",
            "Bevolking_1": 50,
        },
    ]
    return bundle(
        "03759ned",
        [
            prop("Geslacht", "Dimension"),
            prop("Leeftijd", "Dimension"),
            prop("RegioS", "GeoDimension"),
            prop("Perioden", "TimeDimension"),
            prop("Bevolking_1", "Topic", "Bevolking op 1 januari", "aantal"),
        ],
        {
            "Geslacht": keys(("T001038 ", "Totaal mannen en vrouwen"), ("3000    ", "Mannen")),
            "Leeftijd": keys(*leeftijd),
            "RegioS": keys(("GM0944  ", "Mook en Middelaar")),
            "Perioden": keys(("2024JJ00", "2024"), status={"2024JJ00": "Definitief"}),
        },
        rows,
    )


def test_population_reads_the_single_ages_0_to_22_from_the_leeftijd_table(tmp_path):
    path = write(tmp_path / "03759ned.json", population_table(range(23)))

    parsed = read_dataset_file(path, POPULATION)

    youth = sum(row["persons"] for row in parsed.records if row["age_years"] is not None)
    # 100 + 101 + ... + 122 = 23 * 100 + (0 + ... + 22) = 2300 + 253; 23 jaar (99) and 0 tot 5 jaar are not read.
    assert youth == 2553
    assert sorted(row["age_years"] for row in parsed.records if row["age_years"] is not None) == list(range(23))
    assert [row["persons"] for row in parsed.records if row["age_years"] is None] == [7900]
    assert {row["scope_code"] for row in parsed.records} == {"GM0944"}


def test_population_without_all_single_ages_is_rejected(tmp_path):
    # A Leeftijd table of 0-21 lacks 22, the oldest age of CBS's jeugdhulp band.
    path = write(tmp_path / "03759ned.json", population_table(range(22)))

    parsed = read_dataset_file(path, POPULATION)

    assert parsed.records == [] and parsed.file_rejection.reason_code == "SNAPSHOT_INCOMPLETE"
    assert "[22]" in parsed.file_rejection.reason


def test_the_jz_column_is_found_by_its_values_wherever_it_sits(tmp_path):
    columns = ["Code_1", "Naam_2", "Code_3", "Naam_4"]
    rows = [
        {
            "RegioS": "GM0392    ",
            "Perioden": "2025JJ00",
            "Code_1": "GG3406    ",
            "Naam_2": "GGD Kennemerland  ",
            "Code_3": "JZ11      ",
            "Naam_4": "Zuid-Kennemerland   ",
        },
        {
            "RegioS": "GM0268    ",
            "Perioden": "2025JJ00",
            "Code_1": "GG3906    ",
            "Naam_2": "GGD Gelderland-Zuid",
            "Code_3": "JZ32      ",
            "Naam_4": "Rijk van Nijmegen   ",
        },
    ]
    document = bundle(
        "86059NED",
        [prop("RegioS", "GeoDimension"), prop("Perioden", "TimeDimension"), *[prop(c, "Topic") for c in columns]],
        {
            "RegioS": keys(("GM0392    ", "Haarlem"), ("GM0268    ", "Nijmegen")),
            "Perioden": keys(("2025JJ00", "2025"), status={"2025JJ00": "Definitief"}),
        },
        rows,
    )
    parsed = read_dataset_file(write(tmp_path / "86059NED.json", document), REGIONS)

    assert [
        (r["municipality_code"], r["municipality_name"], r["region_code"], r["region_name"], r["year"])
        for r in parsed.records
    ] == [
        ("GM0392", "Haarlem", "JZ11", "Zuid-Kennemerland", 2025),
        ("GM0268", "Nijmegen", "JZ32", "Rijk van Nijmegen", 2025),
    ]

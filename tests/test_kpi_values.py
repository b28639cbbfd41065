"""Every KPI of the catalogue against figures worked out by hand on a tiny world written in this file.

Two municipalities (Haarlem GM0392 in JZ11, Velsen GM0453 in JZ10), two providers, seven clients, nine allocations,
written as iJw messages with the project's writers and run through the whole pipeline once. CBS figures come from the
shipped CBS sample (youth 0-17 on 1 January 2024: Haarlem 32,000; JZ10 = Beverwijk 8,600 + Heemskerk 7,600 + Velsen
13,300 = 29,500; NL 2024: 10.3% of youth with jeugdhulp). The region budget is written here: Haarlem 2024 EUR 100,000.

The trajectories (one per allocation; none overlap, so none merge):
    T1 C1 (born 2010) Haarlem A ambulant 02   2024-01-22 - 2024-03-31 end 31   69 days  request 2024-01-02 (02)
    T2 C1             Haarlem A ambulant 02   2024-05-06 - open                          no request (01)
    T3 C2 (born 2014) Haarlem A verblijf 14   2024-02-01 - open                          no request (01)
    T4 C3 (born 2006) Haarlem A pleegzorg 11  2024-02-04 - 2024-04-30 end 32   86 days  request 2024-01-05 (04)
    T5 C4 (born 2005) Haarlem A gezinshuis 12 2024-03-01 - open                          no request (01)
    T6 C5 (born 2012) Haarlem B ambulant 02   2023-02-10 - 2024-02-20 end 31  375 days  no request (01)
    T7 C6 (born 2009) Velsen B gesloten 13    2024-03-21 - 2024-06-30 end 31  101 days  request 2024-03-01 (08)
    T8 C7 (born 2011) Velsen B ambulant 02    2024-04-15 - 2024-05-15 end 33   30 days  no request (01)
Declared (EUR): Haarlem 2023-02 500 (C5); 2024-01 1,000 (C1); 2024-02 1,000 (C1) + 3,000 (C2) + 2,000 (C3) +
600 (C5); 2024-12 3,000 (C2). Velsen 2024-03 5,000 (C6); 2024-04 800 (C7). The latest date in the traffic is
2024-12-01 (the December product period), the follow-up horizon of no_new_start_6m_share.

Every allocation allocates 1 stuks (82) per month from its Toewijzingsdatum, open-ended; every line declares 1.

Each declaration is dated five days after its month, so the latest (December 2024) is dated 2025-01-05 and the
forecasts read the warehouse as of 2024-Q4 (cut 2024-12-31): the December line is not known yet. Every month up to
June 2024 is mature at the cut and was declared within a month, so the lag profile is 0 at age 0 and 1 from age 1:
each month up to November 2024 counts as declared in full, and December (age 0) is projected at the run rate of
September to November, which is 0 for Haarlem and provider A. Forecast 2024: Haarlem Ambulant 1,000 + 1,600, Verblijf
5,000 (pleegzorg and residential); provider A 1,000 + 6,000.
"""

import csv
import datetime as dt
import shutil
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.ijw import allocation_writers as aw
from orchestration.ijw import jw323_writer
from orchestration.ijw.writing import Header
from tests.conftest import REPO_ROOT

D = dt.date
# Provider A is a provider of the shipped sample, so it has an omzetplafond in seeds/reference/provider_revenue_caps.csv
# (the cap is an input the test reads; provider B has none).
PROVIDER_A, PROVIDER_B = "98110001", "98000002"
PRODUCTS = {
    "02": ("40", "40A12"),
    "11": ("43", "43A03"),
    "12": ("43", "43A04"),
    "13": ("43", "43A06"),
    "14": ("43", "43A01"),
}


def bsn(serial: int) -> str:
    """A nine-digit number passing the elfproef: the first eight digits, then the check digit that fits."""
    head = f"{10_000_000 + serial * 7:08d}"
    weighted = sum(int(digit) * weight for digit, weight in zip(head, range(9, 1, -1), strict=True))
    for check in range(10):
        if (weighted - check) % 11 == 0:
            return head + str(check)
    return bsn(serial + 100)


@dataclass(frozen=True)
class Care:
    client: int
    birth_year: int
    municipality: str
    provider: str
    care_form: str
    number: int
    allocated_on: dt.date
    start: dt.date
    end: dt.date | None = None
    end_reason: str | None = None
    request: tuple[dt.date, str] | None = None
    """Request date and referrer type of the JW315 the allocation answers."""


CARE = [
    Care(
        1,
        2010,
        "0392",
        PROVIDER_A,
        "02",
        1001,
        D(2024, 1, 12),
        D(2024, 1, 22),
        D(2024, 3, 31),
        "31",
        (D(2024, 1, 2), "02"),
    ),
    Care(1, 2010, "0392", PROVIDER_A, "02", 1002, D(2024, 5, 1), D(2024, 5, 6)),
    Care(2, 2014, "0392", PROVIDER_A, "14", 1003, D(2024, 2, 1), D(2024, 2, 1)),
    Care(
        3,
        2006,
        "0392",
        PROVIDER_A,
        "11",
        1004,
        D(2024, 1, 25),
        D(2024, 2, 4),
        D(2024, 4, 30),
        "32",
        (D(2024, 1, 5), "04"),
    ),
    Care(4, 2005, "0392", PROVIDER_A, "12", 1005, D(2024, 3, 1), D(2024, 3, 1)),
    Care(5, 2012, "0392", PROVIDER_B, "02", 1006, D(2023, 2, 1), D(2023, 2, 10), D(2024, 2, 20), "31"),
    Care(
        6,
        2009,
        "0453",
        PROVIDER_B,
        "13",
        2001,
        D(2024, 3, 11),
        D(2024, 3, 21),
        D(2024, 6, 30),
        "31",
        (D(2024, 3, 1), "08"),
    ),
    Care(7, 2011, "0453", PROVIDER_B, "02", 2002, D(2024, 4, 1), D(2024, 4, 15), D(2024, 5, 15), "33"),
]

# (allocation number, first day of the product month, euros)
DECLARED = [
    (1006, D(2023, 2, 1), 500),
    (1001, D(2024, 1, 1), 1_000),
    (1001, D(2024, 2, 1), 1_000),
    (1003, D(2024, 2, 1), 3_000),
    (1004, D(2024, 2, 1), 2_000),
    (1006, D(2024, 2, 1), 600),
    (1003, D(2024, 12, 1), 3_000),
    (2001, D(2024, 3, 1), 5_000),
    (2002, D(2024, 4, 1), 800),
]


class Landing:
    def __init__(self, root: Path):
        self.root, self.serial = root, 0

    def write(self, kind: str, sender: str, receiver: str, on: dt.date, render) -> None:
        self.serial += 1
        message_id = f"T{self.serial:07d}"
        folder = self.root / "ijw" / f"{on:%Y}" / f"{on:%m}"
        folder.mkdir(parents=True, exist_ok=True)
        header = Header(sender, receiver, message_id, on)
        (folder / f"{kind}_{sender}_{receiver}_{message_id}.xml").write_bytes(render(header))


def month_end(first: dt.date) -> dt.date:
    following = D(first.year + first.month // 12, first.month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def write_tiny_world(landing: Path) -> None:
    out = Landing(landing)
    volume = aw.Volume(1, "82", "4")
    for care in CARE:
        client = aw.Client(bsn(care.client), D(care.birth_year, 6, 15), "1")
        category, code = PRODUCTS[care.care_form]
        reference = f"REF{care.number}" if care.request else None
        if care.request:
            request = aw.Request(reference, category, code, care.start, volume, care.request[1])
            out.write(
                "JW315",
                care.provider,
                care.municipality,
                care.request[0],
                lambda h, c=client, r=request: aw.render_jw315(h, c, [r]),
            )
        allocation = aw.Allocation(
            care.number, reference, category, code, care.allocated_on, dt.time(9, 0), care.allocated_on, None, volume
        )
        out.write(
            "JW301",
            care.municipality,
            care.provider,
            care.allocated_on,
            lambda h, c=client, a=allocation: aw.render_jw301(h, c, [a]),
        )
        start = aw.Start(care.number, category, code, care.allocated_on, care.start)
        out.write(
            "JW305",
            care.provider,
            care.municipality,
            care.start,
            lambda h, c=client, s=start: aw.render_jw305(h, c, [s]),
        )
        if care.end is not None:
            stop = aw.Stop(care.number, category, code, care.allocated_on, care.start, care.end_reason, care.end)
            out.write(
                "JW307",
                care.provider,
                care.municipality,
                care.end,
                lambda h, c=client, s=stop: aw.render_jw307(h, c, [s]),
            )
    by_care = {care.number: care for care in CARE}
    for index, (number, month, euros) in enumerate(DECLARED):
        care = by_care[number]
        category, code = PRODUCTS[care.care_form]
        line = jw323_writer.Line(
            f"L{index:05d}", number, category, code, month, month_end(month), 1, "82", euros * 100, euros * 100
        )
        declared_on = month_end(month) + dt.timedelta(days=5)
        document = jw323_writer.Declaration(
            care.provider,
            care.municipality,
            f"D{index:07d}",
            f"DN{index:05d}",
            month,
            month_end(month),
            declared_on,
            {bsn(care.client): [line]},
        )
        out.write("JW323", care.provider, care.municipality, declared_on, lambda _h, d=document: jw323_writer.render(d))
    shutil.copytree(REPO_ROOT / "seeds" / "sample" / "cbs", landing / "cbs")
    (landing / "budgets").mkdir()
    (landing / "budgets" / "regiobudget_2024.csv").write_text(
        "gemeente;jaar;perceel;bedrag;toelichting\nGM0392;2024;Ambulant;60.000,00;\nGM0392;2024;Verblijf;40.000,00;\n",
        encoding="utf-8",
    )


@pytest.fixture(scope="module")
def tiny_kpis(definitions, tmp_path_factory):
    root = tmp_path_factory.mktemp("tiny_world")
    landing, warehouse = root / "landing", root / "warehouse"
    write_tiny_world(landing)
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("WAREHOUSE_DIR", str(warehouse))
        monkeypatch.setenv("WAREHOUSE_LANDING_DIR", str(landing))
        monkeypatch.setenv("WAREHOUSE_PSEUDONYM_KEY", "tiny-world-key-0123456789")
        monkeypatch.setenv("WAREHOUSE_DUCKDB_PATH", str(warehouse / "warehouse.duckdb"))
        job = definitions.resolve_implicit_global_asset_job_def()
        result = job.execute_in_process(instance=dg.DagsterInstance.ephemeral(), raise_on_error=False)
    assert result.success, "the pipeline failed on the tiny world"
    with duckdb.connect(str(warehouse / "warehouse.duckdb"), read_only=True) as con:
        rows = con.execute(
            "select kpi_id, scope_type, scope_code, period, value, numerator, denominator from marts.kpi_values"
        ).fetchall()
        catalogue = {kpi_id for (kpi_id,) in con.execute("select kpi_id from marts.dim_kpi").fetchall()}
    values = {
        (kpi, scope_type, code, period): (value, numerator, denominator)
        for kpi, scope_type, code, period, value, numerator, denominator in rows
    }
    return values, catalogue


def _cap_cents(provider: str, year: int) -> int:
    with (REPO_ROOT / "seeds" / "reference" / "provider_revenue_caps.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["provider_agb"] == provider and int(row["year"]) == year:
                return int(Decimal(row["cap_euros"]) * 100)
    raise LookupError(f"no cap for {provider} in {year}")


CAP_A_CENTS = _cap_cents(PROVIDER_A, 2024)

# (kpi_id, scope_type, scope_code, period): (value, numerator, denominator), worked out from the table above.
EXPECTED = {
    # Haarlem 2024-Q1 active: T1, T3, T4, T5, T6 (five clients, five trajectories).
    ("clients_in_care", "municipality", "GM0392", "2024-Q1"): (5, 5, None),
    ("trajectories_active", "municipality", "GM0392", "2024-Q1"): (5, 5, None),
    ("clients_in_care", "region", "JZ11", "2024"): (5, 5, None),
    ("trajectories_active", "region", "JZ11", "2024"): (6, 6, None),
    ("clients_in_care", "provider", PROVIDER_A, "2024"): (4, 4, None),
    ("trajectories_active", "provider", PROVIDER_A, "2024"): (5, 5, None),
    # Ambulant in 2024-H1: T1, T2 (both C1), T6 (C5), T8 (C7): a youth counts once per care form.
    ("clients_in_care", "care_form", "02", "2024-H1"): (3, 3, None),
    ("trajectories_active", "care_form", "02", "2024-H1"): (4, 4, None),
    ("clients_in_care", "nl", "NL01", "2024"): (349_170, 349_170, None),
    # Haarlem 2023: C5 only.
    ("clients_in_care_growth", "municipality", "GM0392", "2024"): (400.0, 5, 1),
    ("trajectories_started", "municipality", "GM0392", "2024-Q1"): (4, 4, None),
    ("trajectories_started", "care_form", "02", "2024"): (3, 3, None),
    ("trajectories_started_growth", "municipality", "GM0392", "2024"): (400.0, 5, 1),
    ("trajectories_ended", "municipality", "GM0392", "2024-Q1"): (2, 2, None),
    ("trajectories_ended", "municipality", "GM0453", "2024-Q2"): (2, 2, None),
    # 1,000 + 1,000 + 3,000 + 2,000 + 600 in 2024-Q1; 500 in 2023-Q1.
    ("net_declared_cost", "municipality", "GM0392", "2024-Q1"): (7_600.0, 760_000, None),
    ("net_declared_cost", "municipality", "GM0392", "2024"): (10_600.0, 1_060_000, None),
    ("net_declared_cost", "region", "JZ10", "2024-H1"): (5_800.0, 580_000, None),
    ("net_declared_cost", "provider", PROVIDER_B, "2024"): (6_400.0, 640_000, None),
    ("net_declared_cost", "care_form", "14", "2024"): (6_000.0, 600_000, None),
    ("net_declared_cost_growth", "municipality", "GM0392", "2024-Q1"): (100.0 * (7_600 / 500 - 1), 760_000, 50_000),
    ("cost_per_client", "municipality", "GM0392", "2024"): (2_120.0, 1_060_000, 5),
    ("cost_per_trajectory", "municipality", "GM0392", "2024"): (10_600 / 6, 1_060_000, 6),
    # Ended in Haarlem 2024: T1 69 days (31), T4 86 days (32), T6 375 days (31).
    ("mean_duration_days_ended", "municipality", "GM0392", "2024"): (530 / 3, 530, 3),
    ("mean_duration_days_ended", "nl", "NL01", "2023"): (390.0, None, 192_044),
    ("ended_long_duration_share", "municipality", "GM0392", "2024"): (100 / 3, 1, 3),
    ("ended_according_to_plan_share", "municipality", "GM0392", "2024"): (200 / 3, 2, 3),
    ("early_termination_share", "municipality", "GM0392", "2024"): (100 / 3, 1, 3),
    ("early_termination_share", "municipality", "GM0453", "2024"): (50.0, 1, 2),
    # All three ends have one of CBS's reasons 31-35: none administrative (20, 36-39).
    ("ended_administrative_share", "municipality", "GM0392", "2024"): (0.0, 0, 3),
    # Follow-up to 2024-12-01: T1 (C1 restarts 2024-05-06), T4, T6 followed up; T7 (ends 2024-06-30) not yet.
    ("no_new_start_6m_share", "municipality", "GM0392", "2024"): (200 / 3, 2, 3),
    ("no_new_start_6m_share", "municipality", "GM0453", "2024"): (100.0, 1, 1),
    # Started in Haarlem 2024: T1-T5; T2 is a repeat: C1's T1 ended 2024-03-31, more than a day before.
    ("repeat_care_share", "municipality", "GM0392", "2024"): (20.0, 1, 5),
    ("allocations", "municipality", "GM0392", "2024"): (5, 5, None),
    ("referrer_share_01", "municipality", "GM0392", "2024"): (60.0, 3, 5),
    ("referrer_share_02", "municipality", "GM0392", "2024"): (20.0, 1, 5),
    ("referrer_share_03", "municipality", "GM0392", "2024"): (0.0, 0, 5),
    ("referrer_share_04", "municipality", "GM0392", "2024"): (20.0, 1, 5),
    ("referrer_share_05", "municipality", "GM0392", "2024"): (0.0, 0, 5),
    ("referrer_share_06", "municipality", "GM0392", "2024"): (0.0, 0, 5),
    ("referrer_share_08", "municipality", "GM0453", "2024"): (50.0, 1, 2),
    ("mean_days_request_to_allocation", "municipality", "GM0392", "2024"): (15.0, 30, 2),
    ("mean_days_allocation_to_start", "municipality", "GM0392", "2024"): (5.0, 25, 5),
    # Stays active in Haarlem 2024: T3 (14), T4 (11), T5 (12); in JZ10: T7 (13).
    ("family_setting_share", "municipality", "GM0392", "2024"): (200 / 3, 2, 3),
    ("family_setting_share", "region", "JZ10", "2024"): (0.0, 0, 1),
    ("residential_under_12", "municipality", "GM0392", "2024"): (1, 1, None),
    ("residential_under_12", "municipality", "GM0453", "2024"): (0, 0, None),
    ("closed_placements", "municipality", "GM0453", "2024"): (1, 1, None),
    ("closed_placements", "municipality", "GM0392", "2024"): (0, 0, None),
    # No justice care form in this world (tests/test_cbs_definitions.py has some): zero at every municipality in care.
    ("jeugdbescherming_clients", "municipality", "GM0392", "2024"): (0, 0, None),
    ("jeugdreclassering_clients", "region", "JZ10", "2024"): (0, 0, None),
    ("turning_18_in_care", "municipality", "GM0392", "2024"): (1, 1, None),
    ("care_past_18", "municipality", "GM0392", "2024"): (1, 1, None),
    # 0-17 on 1 January 2024 (born 2006-2023): Haarlem's C1, C2, C3, C5, not C4 (born 2005); Velsen's C6, C7.
    ("clients_in_care_0_17", "municipality", "GM0392", "2024"): (4, 4, None),
    ("youth_in_care_share", "municipality", "GM0392", "2024"): (100 * 4 / 32_000, 4, 32_000),
    ("youth_in_care_share", "region", "JZ10", "2024"): (100 * 2 / 29_500, 2, 29_500),
    ("youth_in_care_share", "nl", "NL01", "2024"): (10.3, 349_170, None),
    # Velsen 2024-Q1: allocation 2001 from 2024-03-11 allocates 21/31 of March, 1 is declared; 2024-Q2: 2001 and
    # 2002 allocate 3 each (April to June), only 2002's April is declared.
    ("realisation_share", "municipality", "GM0453", "2024-Q1"): (100 * 31 / 21, 1, Decimal("0.68")),
    ("realisation_share", "municipality", "GM0453", "2024-Q2"): (100 / 6, 1, 6),
    # Haarlem 2024-Q1: 1001 from 2024-01-12 (20/31 of January, then February and March), 1003 from 2024-02-01
    # (2), 1004 from 2024-01-25 (7/31 + 2), 1005 from 2024-03-01 (1), 1006 all quarter (3); declared 1001 January and
    # February, 1003, 1004 and 1006 February: 5.
    (
        "realisation_share",
        "municipality",
        "GM0392",
        "2024-Q1",
    ): (100 * 5 / (20 / 31 + 2 + 2 + 7 / 31 + 2 + 1 + 3), 5, Decimal("10.87")),
    # Forecast (see above) over the region budget of EUR 100,000 for Haarlem's two percelen.
    ("budget_forecast_share", "municipality", "GM0392", "2024"): (7.6, 760_000, 10_000_000),
    ("budget_forecast_share", "region", "JZ11", "2024"): (7.6, 760_000, 10_000_000),
    ("provider_revenue_cap_share", "provider", PROVIDER_A, "2024"): (
        100 * 700_000 / CAP_A_CENTS,
        700_000,
        CAP_A_CENTS,
    ),
    # Year to date against EUR 100,000.
    ("budget_realisation_share", "municipality", "GM0392", "2024-Q1"): (7.6, 760_000, 10_000_000),
    ("budget_realisation_share", "region", "JZ11", "2024"): (10.6, 1_060_000, 10_000_000),
}


def test_no_cap_means_no_cap_share(tiny_kpis):
    values, _ = tiny_kpis
    assert not [key for key in values if key[0] == "provider_revenue_cap_share" and key[2] == PROVIDER_B]


def test_every_catalogue_kpi_has_a_hand_computed_case():
    catalogue = (REPO_ROOT / "seeds" / "reference" / "kpi_catalogue.csv").read_text(encoding="utf-8").splitlines()
    assert {line.split(",")[0] for line in catalogue[1:]} == {kpi for kpi, *_ in EXPECTED}


@pytest.mark.parametrize("key", sorted(EXPECTED), ids=lambda key: "/".join(key))
def test_kpi_value_matches_the_hand_computed_figure(tiny_kpis, key):
    values, _ = tiny_kpis
    assert key in values, f"no row for {key}"
    value, numerator, denominator = values[key]
    expected_value, expected_numerator, expected_denominator = EXPECTED[key]
    assert value == pytest.approx(expected_value, rel=1e-9, abs=1e-9)
    assert (numerator, denominator) == (expected_numerator, expected_denominator)


def test_no_region_budget_for_a_municipality_means_no_budget_rows(tiny_kpis):
    values, _ = tiny_kpis
    assert not [key for key in values if key[0] == "budget_realisation_share" and key[2] == "GM0453"]


def test_every_kpi_value_is_in_the_catalogue(tiny_kpis):
    values, catalogue = tiny_kpis
    assert {kpi for kpi, *_ in values} <= catalogue

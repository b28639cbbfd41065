"""Every KPI of the catalogue against figures worked out by hand on a tiny world written in this file.

Two municipalities (Haarlem GM0392 in JZ11, Velsen GM0453 in JZ10), two providers, eleven clients, twelve
allocations and a request never answered, written as iJw messages with the project's writers and run through the
whole pipeline once. CBS figures come from the shipped CBS sample (youth on 1 January 2024: Haarlem 32,000 aged
0-17 and 9,600 aged 18-22; Velsen 13,300 and 4,000; NL 2024: 7.8% of youth 0-22 with jeugdhulp). The region budget
is written here: Haarlem 2024 EUR 100,000, Velsen 2024 EUR 10,000.

Coverage (docs/kpis.md): Haarlem delivers declarations in 2023-Q1, 2024-Q1 and 2024-Q4, Velsen in 2023-Q1, 2024-Q1 and
2024-Q2; their other municipalities (JZ11 four, JZ10 three) deliver nothing, so each region covers one municipality.
T10 is Haarlem's back history from before its first deliveries: no value for 2022 at any scope.

The trajectories (one per allocation; none overlap, so none merge):
    T1 C1 (born 2010) Haarlem A ambulant 02   2024-01-22 - 2024-03-31 end 31   69 days  request 2024-01-02 (02)
    T2 C1             Haarlem A ambulant 02   2024-05-06 - open                          no request (01)
    T3 C2 (born 2014) Haarlem A verblijf 14   2024-02-01 - open                          no request (01)
    T4 C3 (born 2006) Haarlem A pleegzorg 11  2024-02-04 - 2024-04-30 end 32   86 days  request 2024-01-05 (04)
    T5 C4 (born 2005) Haarlem A gezinshuis 12 2024-03-01 - open                          no request (01)
    T6 C5 (born 2012) Haarlem B ambulant 02   2023-02-10 - 2024-02-20 end 31  375 days  no request (01)
    T7 C6 (born 2009) Velsen B gesloten 13    2024-03-21 - 2024-06-30 end 31  101 days  request 2024-03-01 (08)
    T8 C7 (born 2011) Velsen B ambulant 02    2024-04-15 - 2024-05-15 end 33   30 days  no request (01)
    T9 C8 (born 2012) Velsen B ambulant 02    2023-01-10 - 2023-01-31 end 31            allocation to 2023-01-31
    T10 C9 (born 2013) Haarlem A ambulant 02  2022-10-05 - 2022-12-30 end 31            allocation to 2022-12-31
Declared (EUR): Haarlem 2023-02 500 (C5); 2024-01 1,000 (C1); 2024-02 1,000 (C1) + 3,000 (C2) + 2,000 (C3) +
600 (C5); 2024-12 3,000 (C2). Velsen 2023-01 400 (C8); 2024-03 5,000 (C6); 2024-04 800 (C7). The latest date in
the traffic is 2024-12-01 (the December product period), the follow-up horizon of no_new_start_6m_share.

Every allocation allocates 1 stuks (82) per month from its Toewijzingsdatum, open-ended but for C8's and C9's; every
line declares 1.

Each declaration is dated five days after its month, so the latest (December 2024) is dated 2025-01-05 and the
forecasts read the warehouse as of 2024-Q4 (cut 2024-12-31): the December line is not known yet. Every month up to
June 2024 is mature at the cut and was declared within a month, so the lag profile is 0 at age 0 and 1 from age 1:
each month up to November 2024 counts as declared in full, and December (age 0) is projected at the run rate of
September to November, which is 0 for Haarlem and provider A. Forecast 2024: Haarlem Ambulant 1,000 + 1,600, Verblijf
5,000 (pleegzorg and residential); provider A 1,000 + 6,000.
"""

import csv
import datetime as dt
import json
import shutil
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from orchestration.generator import allocation_writers as aw
from orchestration.generator import jw323_writer
from orchestration.generator.writing import Header
from orchestration.ijw.jw323 import Prestatie
from tests.conftest import REPO_ROOT, run_everything, set_warehouse_env

D = dt.date
# Provider A is a provider of the shipped sample (the first of Rijk van Nijmegen's), so it has an omzetplafond in
# seeds/reference/provider_revenue_caps.csv (the cap is an input the test reads; provider B has none).
PROVIDER_A, PROVIDER_B = "98320001", "98000002"
PRODUCTS = {
    "02": ("40", "40A12"),
    "11": ("43", "43A03"),
    "12": ("43", "43A04"),
    "13": ("43", "43A06"),
    "14": ("43", "43A01"),
    "04": ("40", "40A01"),
}


def sample_youth(municipalities: tuple[str, ...], year: int, youngest: int, oldest: int) -> int:
    """The youth of the shipped 03759ned sample in an age band, summed from the file's single-age records (found by
    their Leeftijd titles, as CBS publishes them) without the warehouse."""
    table = json.loads((REPO_ROOT / "seeds" / "sample" / "cbs" / "03759ned_sample.json").read_text(encoding="utf-8"))
    ages = {entry["Key"]: entry["Title"] for entry in table["Leeftijd"]["value"]}
    wanted = {key for key, title in ages.items() if title in {f"{age} jaar" for age in range(youngest, oldest + 1)}}
    return sum(
        row["BevolkingOp1Januari_1"]
        for row in table["TypedDataSet"]["value"]
        if row["RegioS"].strip() in municipalities
        and row["Perioden"] == f"{year}JJ00"
        and row["Leeftijd"] in wanted
        and row["Geslacht"].strip() == "T001038"
    )


# JZ10's municipalities (seeds/reference/municipalities.csv): Beverwijk, Heemskerk, Velsen.
VELSEN_12_22 = sample_youth(("GM0453",), 2024, 12, 22)
JZ10_12_22 = sample_youth(("GM0375", "GM0396", "GM0453"), 2024, 12, 22)


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
    valid_until: dt.date | None = None
    """The allocation's Einddatum; open-ended when None."""


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
    Care(
        8,
        2012,
        "0453",
        PROVIDER_B,
        "02",
        2003,
        D(2023, 1, 5),
        D(2023, 1, 10),
        D(2023, 1, 31),
        "31",
        None,
        D(2023, 1, 31),
    ),
    # Back history from before Haarlem's first deliveries: allocated, started and ended, never declared.
    Care(
        9,
        2013,
        "0392",
        PROVIDER_A,
        "02",
        1007,
        D(2022, 10, 3),
        D(2022, 10, 5),
        D(2022, 12, 30),
        "31",
        None,
        D(2022, 12, 31),
    ),
]

# Waiting at Haarlem with provider A in care form 04: C10's JW315 of 2023-01-20 is never answered; C11's allocation
# 1008 of 2023-02-01 (valid to 2023-12-31) never starts.
UNANSWERED_REQUEST = (10, D(2023, 1, 20))
UNSTARTED_ALLOCATION = (11, 1008, D(2023, 2, 1), D(2023, 12, 31))

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
    (2003, D(2023, 1, 1), 400),
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
            care.number,
            reference,
            category,
            code,
            care.allocated_on,
            dt.time(9, 0),
            care.allocated_on,
            care.valid_until,
            volume,
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
    category, code = PRODUCTS["04"]
    client_number, requested_on = UNANSWERED_REQUEST
    requester = aw.Client(bsn(client_number), D(2015, 6, 15), "2")
    request = aw.Request("REFWAIT", category, code, requested_on, volume, "01")
    out.write("JW315", PROVIDER_A, "0392", requested_on, lambda h: aw.render_jw315(h, requester, [request]))
    client_number, number, allocated_on, valid_until = UNSTARTED_ALLOCATION
    allocated = aw.Client(bsn(client_number), D(2015, 6, 15), "2")
    unstarted = aw.Allocation(
        number, None, category, code, allocated_on, dt.time(9, 0), allocated_on, valid_until, volume
    )
    out.write("JW301", "0392", PROVIDER_A, allocated_on, lambda h: aw.render_jw301(h, allocated, [unstarted]))
    by_care = {care.number: care for care in CARE}
    for index, (number, month, euros) in enumerate(DECLARED):
        care = by_care[number]
        category, code = PRODUCTS[care.care_form]
        line = Prestatie(
            reference_number=f"L{index:05d}",
            allocation_number=number,
            product_category=category,
            product_code=code,
            period_start=month,
            period_end=month_end(month),
            volume=1,
            unit_code="82",
            tariff_cents=euros * 100,
            amount_cents=euros * 100,
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
        "gemeente;jaar;perceel;bedrag;toelichting\nGM0392;2024;Ambulant;60.000,00;\nGM0392;2024;Verblijf;40.000,00;\n"
        "GM0453;2024;Ambulant;10.000,00;\n",
        encoding="utf-8",
    )


@pytest.fixture(scope="module")
def tiny_db(definitions, tmp_path_factory) -> Path:
    """The tiny world's warehouse after one pipeline run."""
    root = tmp_path_factory.mktemp("tiny_world")
    landing, warehouse = root / "landing", root / "warehouse"
    write_tiny_world(landing)
    with pytest.MonkeyPatch.context() as monkeypatch:
        set_warehouse_env(monkeypatch, warehouse, landing, "tiny-world-key-0123456789")
        result = run_everything(definitions)
    assert result.success, "the pipeline failed on the tiny world"
    return warehouse / "warehouse.duckdb"


def tiny_query(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


@pytest.fixture(scope="module")
def tiny_kpis(tiny_db):
    with duckdb.connect(str(tiny_db), read_only=True) as con:
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
    # Its parts over the same stays: T4 pleegzorg, T5 gezinshuis, of three; JZ10's one stay is closed (13).
    ("pleegzorg_share", "municipality", "GM0392", "2024"): (100 / 3, 1, 3),
    ("gezinshuis_share", "municipality", "GM0392", "2024"): (100 / 3, 1, 3),
    ("pleegzorg_share", "region", "JZ10", "2024"): (0.0, 0, 1),
    ("gezinshuis_share", "region", "JZ10", "2024"): (0.0, 0, 1),
    ("closed_placements", "municipality", "GM0453", "2024"): (1, 1, None),
    ("closed_placements", "municipality", "GM0392", "2024"): (0, 0, None),
    # No justice care form in this world (tests/test_cbs_definitions.py has some): zero at every municipality in care.
    ("jeugdbescherming_clients", "municipality", "GM0392", "2024"): (0, 0, None),
    ("jeugdreclassering_clients", "region", "JZ10", "2024"): (0, 0, None),
    # CBS 85099NED of the shipped sample (jeugdbescherming, jeugdreclassering), whatever the iJw traffic holds; the
    # jeugdbescherming share over the youth 0-17 on 1 January: Haarlem 32,000, JZ10's three municipalities 29,500
    # (CBS's own region figure over the whole region's youth, not only the municipalities that deliver iJw data); the
    # jeugdreclassering share over the youth 12-22 of the sample's 03759ned.
    ("jeugdbescherming_youth_cbs", "municipality", "GM0392", "2024"): (310, 310, None),
    ("jeugdbescherming_youth_cbs", "region", "JZ11", "2024"): (446, 446, None),
    ("jeugdbescherming_youth_cbs", "nl", "NL01", "2024"): (31_425, 31_425, None),
    ("jeugdbescherming_share_cbs", "municipality", "GM0392", "2024"): (100 * 310 / 32_000, 310, 32_000),
    ("jeugdbescherming_share_cbs", "region", "JZ10", "2024"): (100 * 285 / 29_500, 285, 29_500),
    ("jeugdreclassering_youth_cbs", "municipality", "GM0453", "2024"): (35, 35, None),
    ("jeugdreclassering_youth_cbs", "region", "JZ10", "2023"): (77, 77, None),
    ("jeugdreclassering_youth_cbs", "nl", "NL01", "2023"): (8_467, 8_467, None),
    ("jeugdreclassering_share_cbs", "municipality", "GM0453", "2024"): (100 * 35 / VELSEN_12_22, 35, VELSEN_12_22),
    ("jeugdreclassering_share_cbs", "region", "JZ10", "2024"): (100 * 79 / JZ10_12_22, 79, JZ10_12_22),
    # Product category (JZ020): ambulant and network products are category 40, stays 43. 2024: category 40 C1
    # (1,000 + 1,000), C5 (600), C7 (800); category 43 C2 (3,000 + 3,000), C3 (2,000), C6 (5,000) and C4, who has no
    # line. In 2024-H1 category 40 has C1 (T1, T2), C5 (T6) and C7 (T8).
    ("clients_in_care", "product_category", "40", "2024-H1"): (3, 3, None),
    ("clients_in_care", "product_category", "43", "2024"): (4, 4, None),
    ("net_declared_cost", "product_category", "43", "2024"): (13_000.0, 1_300_000, None),
    ("net_declared_cost", "product_category", "40", "2024-Q1"): (2_600.0, 260_000, None),
    ("cost_per_client", "product_category", "43", "2024"): (3_250.0, 1_300_000, 4),
    ("cost_per_client", "product_category", "40", "2024"): (3_400 / 3, 340_000, 3),
    ("turning_18_in_care", "municipality", "GM0392", "2024"): (1, 1, None),
    ("care_past_18", "municipality", "GM0392", "2024"): (1, 1, None),
    # 0-22 on 1 January 2024 (born 2001-2023, CBS's band): Haarlem's C1, C2, C3, C5 and C4 (born 2005, 18: past 18,
    # counted); Velsen's C6, C7. Over the youth 0-22: Haarlem 32,000 + 9,600.
    ("clients_in_care_0_22", "municipality", "GM0392", "2024"): (5, 5, None),
    ("youth_in_care_share", "municipality", "GM0392", "2024"): (100 * 5 / 41_600, 5, 41_600),
    # Of JZ10 only Velsen delivers: the youth 0-22 of Velsen alone (13,300 + 4,000), not of the region.
    ("youth_in_care_share", "region", "JZ10", "2024"): (100 * 2 / 17_300, 2, 17_300),
    # CBS's share over the same band (85099NED: 349,170 youths with jeugdhulp over 4,490,000 aged 0-22).
    ("youth_in_care_share", "nl", "NL01", "2024"): (7.8, 349_170, None),
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
    # Started in Haarlem 2024-Q1: T1 (02), T3 (14), T4 (11), T5 (12), none a crisis product; in JZ10 2024: T7 (13).
    ("out_of_home_placements_started", "municipality", "GM0392", "2024-Q1"): (3, 3, None),
    ("out_of_home_placements_started", "region", "JZ10", "2024"): (1, 1, None),
    ("trajectories_started_in_crisis", "municipality", "GM0392", "2024-Q1"): (0, 0, None),
    # Waiting 28 days or more (dbt var waiting_days) at the period's end: C10's request from 2023-Q1 on (still open
    # at the end of 2024-Q1); C11's allocation in 2023 (to its Einddatum 2023-12-31), no longer in 2024.
    ("requests_waiting", "municipality", "GM0392", "2023-Q1"): (1, 1, None),
    ("requests_waiting", "provider", PROVIDER_A, "2024-Q1"): (1, 1, None),
    ("allocations_waiting", "municipality", "GM0392", "2023-Q1"): (1, 1, None),
    ("allocations_waiting", "region", "JZ11", "2023"): (1, 1, None),
    ("allocations_waiting", "care_form", "04", "2023-H1"): (1, 1, None),
    ("allocations_waiting", "municipality", "GM0392", "2024-Q1"): (0, 0, None),
    # Year to date against the share of the year's budget due by the period's end (pro rata by month), as of the
    # cut 2024-12-31: Haarlem's 2024-Q1 cost EUR 7,600 over 3/12 of EUR 100,000; the year EUR 7,600 (December's line
    # is dated 2025-01-05, after the cut) over EUR 100,000. Velsen's 2024-Q2 cost EUR 5,800 over 6/12 of EUR 10,000:
    # spending ahead of its budget (the year's budget only 58% spent), so red.
    ("budget_realisation_share", "municipality", "GM0392", "2024-Q1"): (30.4, 760_000, 2_500_000),
    ("budget_realisation_share", "region", "JZ11", "2024"): (7.6, 760_000, 10_000_000),
    ("budget_realisation_share", "municipality", "GM0453", "2024-Q2"): (116.0, 580_000, 500_000),
    ("budget_realisation_share", "region", "JZ10", "2024"): (58.0, 580_000, 1_000_000),
    # Velsen delivers from 2023-Q1 (C8's January line), like Haarlem, so every scope compares like with like:
    # Velsen 2024 C6, C7 against 2023 C8; provider B 2024 C5, C6, C7 against 2023 C5, C8; ambulant 2024 C1, C5,
    # C7 against C5, C8; provider B 2024-Q1 C5, C6 against 2023-Q1 C5, C8.
    ("clients_in_care_growth", "municipality", "GM0453", "2024"): (100.0, 2, 1),
    ("clients_in_care_growth", "region", "JZ10", "2024"): (100.0, 2, 1),
    ("clients_in_care_growth", "provider", PROVIDER_B, "2024"): (50.0, 3, 2),
    ("clients_in_care_growth", "care_form", "02", "2024"): (50.0, 3, 2),
    ("clients_in_care_growth", "provider", PROVIDER_B, "2024-Q1"): (0.0, 2, 2),
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


def test_no_region_budget_for_a_year_means_no_budget_rows(tiny_kpis):
    values, _ = tiny_kpis
    budget_rows = [key for key in values if key[0] == "budget_realisation_share"]
    assert budget_rows and not [key for key in budget_rows if key[3].startswith("2023")]


def test_every_kpi_value_is_in_the_catalogue(tiny_kpis):
    values, catalogue = tiny_kpis
    assert {kpi for kpi, *_ in values} <= catalogue


def test_q2_spending_ahead_of_the_budget_is_red(tiny_db):
    """Velsen's 2024-Q2 runs at 116% of the budget due by June (EXPECTED): red against the catalogue's band (100,
    up to 102), where the year's budget, only 58% spent, would have shown green."""
    rows = tiny_query(
        tiny_db,
        "select scope_type, status from marts.steering_signals where kpi_id = 'budget_realisation_share'"
        " and scope_code in ('GM0453', 'JZ10') and period = '2024-Q2'",
    )
    assert sorted(rows) == [("municipality", "red"), ("region", "red")]


def test_no_value_before_a_municipality_delivers_nor_in_a_quarter_it_sent_nothing(tiny_kpis):
    """T10 is Haarlem's back history of 2022, before its first declarations (2023-Q1): no 2022 value at any scope.
    Haarlem sent nothing in 2023-Q2 although C5 was in care: no value there either, for Haarlem nor JZ11."""
    values, _ = tiny_kpis
    assert not [key for key in values if key[1] != "nl" and key[3].startswith("2022")]
    assert not [key for key in values if key[2] in ("GM0392", "JZ11") and key[3] == "2023-Q2"]
    assert ("clients_in_care", "provider", PROVIDER_A, "2024-Q1") in values


def test_region_figures_say_how_many_municipalities_they_cover(tiny_db):
    rows = tiny_query(
        tiny_db,
        "select distinct scope_code, period, municipalities_covered, municipalities_in_region from marts.kpi_values"
        " where scope_type = 'region' and period in ('2024', '2024-Q1') and kpi_id not like '%\\_cbs' escape '\\'",
    )
    assert sorted(rows) == [
        ("JZ10", "2024", 1, 3),
        ("JZ10", "2024-Q1", 1, 3),
        ("JZ11", "2024", 1, 4),
        ("JZ11", "2024-Q1", 1, 4),
    ]
    assert tiny_query(
        tiny_db,
        "select count(*) from marts.kpi_values where scope_type <> 'region'"
        " and (municipalities_covered is not null or municipalities_in_region is not null)",
    ) == [(0,)]
    # CBS's own region figures cover the whole region, whatever the iJw deliveries: no coverage count.
    assert tiny_query(
        tiny_db,
        "select distinct municipalities_covered, municipalities_in_region from marts.kpi_values"
        " where scope_type = 'region' and kpi_id = 'jeugdbescherming_youth_cbs'",
    ) == [(None, None)]


def test_coverage_warns_where_a_municipality_sent_nothing(tiny_db):
    """kpi_coverage of the hand-made deliveries: Velsen covers 2024 but sent nothing in its third and fourth
    quarters, Haarlem nothing in 2024-Q2; every region warns, as three of JZ10's and JZ11's municipalities never
    deliver."""
    rows = tiny_query(
        tiny_db,
        "select region_code, period, municipality_code, quarters_in_period, quarters_delivered, is_covered,"
        " is_complete, municipalities_covered, coverage_warning from marts.kpi_coverage"
        " where municipality_code in ('GM0392', 'GM0453') and period in ('2024', '2024-Q2')",
    )
    assert sorted(rows) == [
        ("JZ10", "2024", "GM0453", 4, 2, True, False, 1, True),
        ("JZ10", "2024-Q2", "GM0453", 1, 1, True, True, 1, True),
        ("JZ11", "2024", "GM0392", 4, 2, True, False, 1, True),
        ("JZ11", "2024-Q2", "GM0392", 1, 0, False, False, 0, True),
    ]
    warnings = tiny_query(tiny_db, "select distinct coverage_warning from marts.kpi_coverage")
    assert warnings == [(True,)]


def _declared(row: dict[str, str], column: str) -> set[str]:
    return set(row[column].split())


def test_kpi_values_hold_exactly_what_the_catalogue_declares(tiny_db):
    """The catalogue is the contract, in both directions: per KPI the scope types, the period types and the national
    rows kpi_values holds are those its catalogue row declares (the tiny world has data for every declared cell)."""
    with (REPO_ROOT / "seeds" / "reference" / "kpi_catalogue.csv").open(encoding="utf-8") as handle:
        catalogue = {row["kpi_id"]: row for row in csv.DictReader(handle)}
    held = defaultdict(lambda: (set(), set(), set()))
    for kpi, scope_type, period_type in tiny_query(
        tiny_db, "select distinct kpi_id, scope_type, period_type from marts.kpi_values"
    ):
        scopes, periods, national_periods = held[kpi]
        if scope_type == "nl":
            national_periods.add(period_type)
        else:
            scopes.add(scope_type)
            periods.add(period_type)
    assert held.keys() == catalogue.keys()
    for kpi, row in catalogue.items():
        scopes, periods, national_periods = held[kpi]
        assert scopes == _declared(row, "scopes"), kpi
        assert periods == _declared(row, "period_types"), kpi
        assert national_periods == ({"year"} if row["nl_source"] else set()), kpi


def _value_from_parts(kpi: str, unit: str, numerator: Decimal, denominator: Decimal | None) -> float:
    """What a value in `unit` is from its numerator (eurocents for amounts) and denominator."""
    n, d = float(numerator), None if denominator is None else float(denominator)
    if unit == "count":
        assert d is None
        return n
    if unit == "EUR":
        assert d is None
        return n / 100
    if unit in ("EUR_per_client", "EUR_per_trajectory"):
        return n / 100 / d
    if unit == "days":
        return n / d
    assert unit == "percent", unit
    return 100 * (n / d - 1) if kpi.endswith("_growth") else 100 * n / d


def test_every_warehouse_value_follows_its_unit(tiny_db):
    """The catalogue's unit is what the value holds: recomputed from numerator and denominator on every row the
    warehouse computes (nl rows are CBS's published figures). kpi_values stores numerator and denominator rounded to
    hundredths: a volume (pro-rated allocations) or an amount in the denominator (a budget share due) agrees up to
    that rounding, counts and declared cents exactly."""
    rows = tiny_query(
        tiny_db,
        "select v.kpi_id, v.scope_type, v.scope_code, v.period, v.unit, c.unit, c.numerator_kind, c.denominator_kind,"
        " v.value, v.numerator, v.denominator"
        " from marts.kpi_values as v join marts.dim_kpi as c using (kpi_id) where v.scope_type <> 'nl'",
    )
    assert rows
    for kpi, *key, unit, catalogue_unit, numerator_kind, denominator_kind, value, numerator, denominator in rows:
        assert unit == catalogue_unit, (kpi, *key)
        expected = _value_from_parts(kpi, unit, numerator, denominator)
        rounded = [numerator] * (numerator_kind == "volume") + [denominator] * (denominator_kind in ("volume", "EUR"))
        rounding = sum(0.005 / abs(float(part)) for part in rounded if part)
        assert value == pytest.approx(expected, rel=rounding + 1e-9, abs=1e-9), (kpi, *key)

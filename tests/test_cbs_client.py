"""The StatLine client against a local HTTP server that answers like CBS: paging, 500 on oversized queries,
timeouts, server-driven paging, trailing-space keys; and the snapshot round trip (online pull -> file -> reader)."""

from __future__ import annotations

import json
import random
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from orchestration.cbs.client import CbsError, StatLineClient, write_snapshot
from orchestration.cbs.datasets import KERNCIJFERS, POPULATION, online_filter, read_dataset_file
from orchestration.cbs.periods import parse_period
from orchestration.cbs.snapshot_builder import population_bundle, population_rows
from tests.cbs_documents import kerncijfers

ROWS_LIMIT = 10  # this fake CBS refuses pages larger than 10 rows, as CBS refuses more than 10,000
PAGED_ROWS = [{"ID": index, "Waarde_1": index * 10} for index in range(25)]
LINKED_ROWS = [{"ID": index} for index in range(7)]
TABLE = kerncijfers(
    [
        {
            "RegioS": "GM0392  ",
            "Perioden": "2023JJ00",
            "JongerenMetJeugdhulp_1": 3150,
            "JongerenMetJeugdhulpRelatief_2": 9.8,
        },
        {
            "RegioS": "JZ11    ",
            "Perioden": "2024HJ01",
            "JongerenMetJeugdhulp_1": 5735,
            "JongerenMetJeugdhulpRelatief_2": 10.8,
        },
        {
            "RegioS": "NL01    ",
            "Perioden": "2023JJ00",
            "JongerenMetJeugdhulp_1": None,
            "JongerenMetJeugdhulpRelatief_2": 11.2,
        },
    ]
)

# 03759ned as CBS serves it unfiltered: every age of the Leeftijd table (0-23, 0 tot 5 jaar), a sub-total by sex, and a
# second municipality; youth 0-17 of 1,800 and young adults 18-22 of 500 in Haarlem.
POPULATION_TABLE = population_bundle(
    [
        *population_rows("GM0392", "2024JJ00", 1800, 500, 9000, random.Random(1)),
        *population_rows("GM0453", "2024JJ00", 700, 200, 4000, random.Random(2)),
    ],
    [("GM0392", "Haarlem"), ("GM0453", "Velsen")],
    {"2024JJ00": "Definitief"},
)
TABLES = {"SLOW": TABLE, "85099NED": TABLE, "03759ned": POPULATION_TABLE}


def matches(row: dict, odata_filter: str) -> bool:
    """The client's filter as CBS evaluates it: clauses '(Dim eq 'key' or ...)' joined by ' and '."""
    for clause in odata_filter.split(") and ("):
        options = [option.strip("()").split(" eq ") for option in clause.split(" or ")]
        if not any(row.get(dimension) == key.strip("'") for dimension, key in options):
            return False
    return True


class FakeCbs(BaseHTTPRequestHandler):
    requests_seen: list[tuple[str, dict[str, str]]] = []
    slow_answers_left = 0

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        FakeCbs.requests_seen.append((url.path, query))
        table, entity = url.path.split("/")[-2:]
        top, skip = int(query.get("$top", 10**6)), int(query.get("$skip", 0))
        if table == "SLOW" and FakeCbs.slow_answers_left > 0:
            FakeCbs.slow_answers_left -= 1
            time.sleep(1.0)
        if top > ROWS_LIMIT:
            return self.send(500, {"odata.error": {"message": {"value": "Het maximum aantal rijen is overschreden"}}})
        if table == "PAGED":
            return self.send(200, {"odata.metadata": "m", "value": PAGED_ROWS[skip : skip + top]})
        if table == "LINKED":
            start = int(query.get("$skiptoken", 0))
            page = {"odata.metadata": "m", "value": LINKED_ROWS[start : start + 3]}
            if start + 3 < len(LINKED_ROWS):
                page["odata.nextLink"] = f"http://{self.headers['Host']}{url.path}?$top=3&$skiptoken={start + 3}"
            return self.send(200, page)
        if table in TABLES and entity in TABLES[table]:
            rows = TABLES[table][entity]["value"]
            if "$filter" in query:
                rows = [row for row in rows if matches(row, query["$filter"])]
            return self.send(200, {"odata.metadata": "m", "value": rows[skip : skip + top]})
        return self.send(404, {"odata.error": {"message": {"value": "not found"}}})

    def send(self, status: int, body: dict) -> None:
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


@pytest.fixture(scope="module")
def base_url():
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeCbs)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/odata"
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def clear_log():
    FakeCbs.requests_seen.clear()
    FakeCbs.slow_answers_left = 0


def client(base_url: str, **options) -> StatLineClient:
    return StatLineClient(base_url=base_url, backoff_seconds=0, **({"timeout": 5.0, "page_size": ROWS_LIMIT} | options))


def test_an_oversized_page_is_halved_until_cbs_answers_and_all_rows_arrive_once(base_url):
    rows = client(base_url, page_size=16).entity("PAGED", "TypedDataSet")["value"]

    assert [row["ID"] for row in rows] == list(range(25))
    tops = [int(query["$top"]) for _, query in FakeCbs.requests_seen]
    # 16 is refused (500), 8 is accepted: pages at skip 0, 8, 16, 24 (the last one short).
    assert tops == [16, 8, 8, 8, 8]
    assert [int(query["$skip"]) for _, query in FakeCbs.requests_seen] == [0, 0, 8, 16, 24]


def test_server_driven_paging_follows_next_link(base_url):
    rows = client(base_url).entity("LINKED", "TypedDataSet")["value"]

    assert [row["ID"] for row in rows] == [0, 1, 2, 3, 4, 5, 6]
    assert len(FakeCbs.requests_seen) == 3


def test_a_timeout_is_retried(base_url):
    FakeCbs.slow_answers_left = 1

    rows = client(base_url, timeout=0.3, retries=2).entity("SLOW", "DataProperties")["value"]

    assert [row["Key"] for row in rows][:2] == ["RegioS", "Perioden"]
    assert len(FakeCbs.requests_seen) == 2


def test_persistent_timeouts_raise_an_error_naming_the_url(base_url):
    FakeCbs.slow_answers_left = 5

    with pytest.raises(CbsError, match=r"SLOW/DataProperties.*2 attempts.*Timeout"):
        client(base_url, timeout=0.3, retries=1).entity("SLOW", "DataProperties")


def test_an_unknown_table_is_an_error_without_retries(base_url):
    with pytest.raises(CbsError, match="HTTP 404"):
        client(base_url).entity("NOPE", "TypedDataSet")
    assert len(FakeCbs.requests_seen) == 1


def test_page_size_above_the_cbs_limit_is_refused():
    with pytest.raises(ValueError, match="page_size"):
        StatLineClient(page_size=10_001)


def test_snapshot_round_trip_trims_keys_and_keeps_status(base_url, tmp_path):
    bundle = client(base_url).snapshot("85099NED", online_filter({"GM0392", "JZ11"}))
    # The filter sends the keys with CBS's padding, and NL01 (not asked for) stays out.
    (filter_sent,) = [query["$filter"] for path, query in FakeCbs.requests_seen if path.endswith("TypedDataSet")]
    assert "RegioS eq 'GM0392  '" in filter_sent and "NL01" not in filter_sent

    path = write_snapshot(bundle, tmp_path / "cbs", "85099NED_test")
    assert json.loads(path.read_text())["RegioS"]["value"][0]["Key"] == "GM0392  "
    parsed = read_dataset_file(path, KERNCIJFERS)

    assert parsed.file_rejection is None and parsed.rejections == []
    got = {
        (r["scope_code"], r["period"], r["period_type"], r["status"], r["measure_key"], r["value"])
        for r in parsed.records
    }
    assert got == {
        ("GM0392", "2023", "year", "definitief", "JongerenMetJeugdhulp_1", 3150.0),
        ("GM0392", "2023", "year", "definitief", "JongerenMetJeugdhulpRelatief_2", 9.8),
        ("JZ11", "2024-H1", "half_year", "voorlopig", "JongerenMetJeugdhulp_1", 5735.0),
        ("JZ11", "2024-H1", "half_year", "voorlopig", "JongerenMetJeugdhulpRelatief_2", 10.8),
    }


def test_population_pull_asks_only_for_the_ages_0_to_22_and_the_totals(base_url, tmp_path):
    bundle = client(base_url).snapshot("03759ned", online_filter({"GM0392"}))

    # Three pages of ten rows at most, each with the same filter.
    (filter_sent,) = {query["$filter"] for path, query in FakeCbs.requests_seen if path.endswith("TypedDataSet")}
    ages = {entry["Title"]: entry["Key"] for entry in POPULATION_TABLE["Leeftijd"]["value"]}
    assert all(f"Leeftijd eq '{ages[f'{age} jaar']}'" in filter_sent for age in range(23))
    assert f"Leeftijd eq '{ages['Totaal']}'" in filter_sent
    assert ages["23 jaar"] not in filter_sent and ages["0 tot 5 jaar"] not in filter_sent
    assert "Geslacht eq '3000    '" not in filter_sent and "GM0453" not in filter_sent
    # Haarlem's total, its 23 single ages and nothing else arrive (23 jaar, 0 tot 5 jaar and the men stay at CBS).
    assert len(bundle["TypedDataSet"]["value"]) == 24

    parsed = read_dataset_file(write_snapshot(bundle, tmp_path / "cbs", "03759ned_test"), POPULATION)

    assert parsed.file_rejection is None and parsed.rejections == []
    by_age = {row["age_years"]: row["persons"] for row in parsed.records}
    assert sorted(age for age in by_age if age is not None) == list(range(23))
    assert sum(by_age[age] for age in range(18)) == 1800 and sum(by_age[age] for age in range(18, 23)) == 500
    assert by_age[None] == 9000 and {row["scope_code"] for row in parsed.records} == {"GM0392"}


@pytest.mark.parametrize(
    ("code", "period_type", "period"),
    [
        ("2023JJ00", "year", "2023"),
        ("2023HJ02", "half_year", "2023-H2"),
        ("2024KW03", "quarter", "2024-Q3"),
        ("2024KW01  ", "quarter", "2024-Q1"),
    ],
)
def test_period_codes(code, period_type, period):
    parsed = parse_period(code)
    assert (parsed.period_type, parsed.period) == (period_type, period)


@pytest.mark.parametrize("code", ["2023MM01", "2023KW05", "2023HJ03", "2023JJ01", "23JJ00", ""])
def test_unknown_period_codes_are_refused(code):
    with pytest.raises(ValueError):
        parse_period(code)

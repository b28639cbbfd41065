"""The door for JW301, JW305, JW307 and JW315 (issue 26): every rule a blocking check holds raw rows of these
messages to (the raw tables' Great Expectations suites, the dbt tests and mart suites they feed) is enforced per
record at the ingest with a reason code, so one record never stops the marts of a whole region; and a start or stop
that claims another's allocation or start is quarantined instead of moving a trajectory.

Each case runs the ingest the assets run and asserts as tests/test_hostile_input.py does: the reason code on the named
record, a reason naming the file, record and line, and the ledger balanced. tests/test_ingest_lanes.py loads these
cases in lanes too.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest
from lxml import etree

from orchestration.ijw import allocations
from orchestration.ijw.reader import parse_date
from orchestration.quality.suites import read_suite_file, validate
from orchestration.settings import EXPECTATIONS_DIR
from orchestration.warehouse.ijw_messages import IJW_INGESTS
from orchestration.warehouse.load import RecordError
from orchestration.warehouse.schema import ensure_schema
from tests import test_hostile_input as hostile
from tests.dbt_workspace import run_dbt
from tests.hostile.allocation_documents import allocation, referral_request
from tests.hostile.documents import care_event
from tests.ijw_landing import ingest_landing, read_message
from tests.jw323_documents import OTHER_VALID_BSN, VALID_BSN
from tests.steering_dbt import query
from tests.test_hostile_input import PSEUDONYMISER, Case, land, one, replaced

START = "toewijzing 700001 start 2024-03-04"


def with_allocation(*culprit: tuple[str, bytes], **others: bytes) -> dict[str, bytes]:
    """The culprit files first (the case's assertions look at the first), then the allocation they claim (JW301
    700001) and any other files; names say where each sorts in the landing."""
    return {**dict(culprit), "ijw/allocation.xml": allocation(), **others}


def started(stop: bytes, start: bytes | None = None) -> dict[str, bytes]:
    return with_allocation(("ijw/z_stop.xml", stop), **{"ijw/start.xml": start or care_event("JW305")})


def from_provider(message: bytes, kind: str, agb: str) -> bytes:
    return replaced(message, f"<{kind}:Afzender>98000011<", f"<{kind}:Afzender>{agb}<")


def with_copies(message: bytes, tag: str, *changes: tuple[str, str]) -> bytes:
    """message (one record) with, right after its record, a copy of it for each (old, new) change."""
    text = message.decode()
    start, end = text.index(f"<{tag}>"), text.index(f"</{tag}>") + len(f"</{tag}>")
    record = text[start:end]
    assert all(old in record for old, _new in changes)
    copies = "".join(record.replace(old, new) for old, new in changes)
    return (text[:end] + copies + text[end:]).encode()


def minified(message: bytes) -> bytes:
    """message as minifying software writes it: no whitespace between elements, so every element is on line 1."""
    root = etree.fromstring(message, etree.XMLParser(remove_blank_text=True))
    written = b'<?xml version="1.0" encoding="UTF-8"?>' + etree.tostring(root)
    assert b"\n" not in written
    return written


FUTURE = (dt.date.today() + dt.timedelta(days=40)).isoformat()

DOOR_CASES = [
    # JW301 per record: dates, numbers and codes as the XSD types and the raw suite hold them.
    Case(
        "allocation_ends_before_it_starts",
        one("a.xml", allocation(valid_to="2024-02-29")),
        "END_BEFORE_START",
        "toewijzing 700001",
    ),
    Case(
        "allocation_date_february_30",
        one("a.xml", allocation(allocated_on="2024-02-30")),
        "DATE_INVALID",
        "toewijzing 700001",
    ),
    Case(
        "allocation_date_without_leading_zeros",
        one("a.xml", allocation(valid_from="2024-3-1")),
        "DATE_INVALID",
        "toewijzing 700001",
    ),
    Case(
        "allocation_date_with_a_timezone",
        one("a.xml", allocation(valid_from="2024-03-01Z")),
        "DATE_INVALID",
        "toewijzing 700001",
    ),
    Case(
        "allocation_date_with_an_offset",
        one("a.xml", allocation(valid_to="2024-12-31+01:00")),
        "DATE_INVALID",
        "toewijzing 700001",
    ),
    Case(
        "allocation_date_in_basic_format",
        one("a.xml", allocation(allocated_on="20240301")),
        "DATE_INVALID",
        "toewijzing 700001",
    ),
    Case("allocation_number_zero", one("a.xml", allocation(number="0")), "NUMBER_OUT_OF_RANGE", "toewijzing 0"),
    Case(
        "allocation_number_of_ten_digits",
        one("a.xml", allocation(number="1000000000")),
        "NUMBER_OUT_OF_RANGE",
        "toewijzing 1000000000",
    ),
    Case(
        "allocation_volume_above_ldt_volume",
        one("a.xml", allocation(volume="100000000")),
        "NUMBER_OUT_OF_RANGE",
        "toewijzing 700001",
    ),
    Case(
        "allocation_budget_above_ldt_budget",
        one("a.xml", allocation(budget="100000000")),
        "AMOUNT_OUT_OF_RANGE",
        "toewijzing 700001",
    ),
    Case(
        "allocation_code_of_another_category",
        one("a.xml", allocation(product_code="43A01")),
        "PRODUCT_NOT_IN_CATEGORY",
        "toewijzing 700001",
    ),
    Case("allocation_client_without_bsn", one("a.xml", allocation(bsn=None)), "LINE_INCOMPLETE", "toewijzing 700001"),
    Case(
        "allocation_client_born_1985",
        one("a.xml", allocation(birth="1985-06-01")),
        "BIRTH_DATE_OUT_OF_RANGE",
        "toewijzing 700001",
    ),
    Case(
        "allocation_client_born_in_the_future",
        one("a.xml", allocation(birth=FUTURE)),
        "BIRTH_DATE_OUT_OF_RANGE",
        "toewijzing 700001",
    ),
    Case("allocation_client_gender_9", one("a.xml", allocation(gender="9")), "GENDER_UNKNOWN", "toewijzing 700001"),
    Case(
        "allocation_birth_date_with_an_offset",
        one("a.xml", allocation(birth="2012-05-17+02:00")),
        "DATE_INVALID",
        "toewijzing 700001",
    ),
    Case(
        "allocation_birth_date_before_the_bsn",
        # Against the XSD's order, and the Bsn after it valid: the broken birth date is still the record's verdict.
        one(
            "a.xml",
            lambda: replaced(
                allocation(birth="2012-13-45", bsn=None),
                "<jw301:Geslacht>",
                f"<jw301:Bsn>{VALID_BSN}</jw301:Bsn><jw301:Geslacht>",
            ),
        ),
        "DATE_INVALID",
        "toewijzing 700001",
    ),
    Case(
        "start_dagtekening_with_a_timezone",
        one("s.xml", lambda: replaced(care_event("JW305"), ">2024-07-01<", ">2024-07-01Z<")),
        "HEADER_INVALID",
        None,
    ),
    # JW301 against earlier allocations: a number names one allocation (TR332), whatever the file order.
    Case(
        "allocation_number_taken_by_another_client",
        lambda: {"ijw/b.xml": allocation(bsn=OTHER_VALID_BSN), "ijw/a.xml": allocation()},
        "TR332",
        "toewijzing 700001",
    ),
    Case(
        "allocation_number_taken_by_another_provider",
        lambda: {"ijw/b.xml": allocation(provider="98000022"), "ijw/a.xml": allocation()},
        "TR332",
        "toewijzing 700001",
    ),
    Case(
        "allocation_number_taken_by_another_municipality",
        lambda: {"ijw/b.xml": allocation(gemeente="0453"), "ijw/a.xml": allocation()},
        "TR332",
        "toewijzing 700001",
    ),
    Case(
        "allocation_number_taken_by_another_product",
        lambda: {"ijw/b.xml": allocation(product_code="45A48"), "ijw/a.xml": allocation()},
        "TR332",
        "toewijzing 700001",
    ),
    # JW305 per record.
    Case(
        "start_in_the_future",
        one("s.xml", lambda: care_event("JW305", start=FUTURE)),
        "FUTURE_DATE",
        f"toewijzing 700001 start {FUTURE}",
    ),
    Case(
        "start_before_the_jeugdwet",
        one("s.xml", lambda: care_event("JW305", start="2014-12-31")),
        "DATE_OUT_OF_RANGE",
        "toewijzing 700001 start 2014-12-31",
    ),
    Case(
        "start_date_february_30",
        one("s.xml", lambda: care_event("JW305", start="2024-02-30")),
        "DATE_INVALID",
        "toewijzing 700001 start 2024-02-30",
    ),
    Case(
        "start_allocation_number_zero",
        one("s.xml", lambda: care_event("JW305", allocation=0)),
        "NUMBER_OUT_OF_RANGE",
        "toewijzing 0 start 2024-03-04",
    ),
    Case(
        "start_code_of_another_category",
        one("s.xml", lambda: care_event("JW305", product_code="43A01")),
        "PRODUCT_NOT_IN_CATEGORY",
        START,
    ),
    # JW305 against the accepted allocations (TR019): the start file sorts before the allocation's, as it may.
    Case("start_for_an_allocation_never_sent", one("s.xml", lambda: care_event("JW305")), "TR019", START),
    Case(
        "start_by_another_provider",
        lambda: with_allocation(("ijw/s.xml", from_provider(care_event("JW305"), "jw305", "98000022"))),
        "TR019",
        START,
    ),
    Case(
        "start_for_another_client",
        lambda: with_allocation(("ijw/s.xml", care_event("JW305", bsn=OTHER_VALID_BSN))),
        "TR019",
        START,
    ),
    Case(
        "start_of_another_product",
        lambda: with_allocation(("ijw/s.xml", care_event("JW305", product_code="45A48"))),
        "TR019",
        START,
    ),
    Case(
        "start_for_another_municipality",
        lambda: with_allocation(("ijw/s.xml", replaced(care_event("JW305"), ">0392<", ">0453<"))),
        "TR019",
        START,
    ),
    Case(
        "start_naming_another_allocation_version",
        lambda: with_allocation(
            ("ijw/s.xml", replaced(care_event("JW305"), "Ingangsdatum>2024-03-01<", "Ingangsdatum>2024-02-01<"))
        ),
        "TR019",
        START,
    ),
    Case(
        "start_before_the_allocation",
        lambda: with_allocation(("ijw/s.xml", care_event("JW305", start="2024-02-28"))),
        "START_OUTSIDE_ALLOCATION",
        "toewijzing 700001 start 2024-02-28",
    ),
    Case(
        "start_after_the_allocation_ends",
        lambda: with_allocation(("ijw/s.xml", care_event("JW305", start="2025-01-01"))),
        "START_OUTSIDE_ALLOCATION",
        "toewijzing 700001 start 2025-01-01",
    ),
    # A withdrawal dbt would order before its start (an earlier Dagtekening) would withdraw nothing there.
    Case(
        "withdrawal_dated_before_its_start",
        lambda: with_allocation(
            ("ijw/z_withdrawal.xml", replaced(care_event("JW305", status="3"), ">2024-07-01<", ">2024-06-30<")),
            **{"ijw/start.xml": care_event("JW305")},
        ),
        "WITHDRAWAL_WITHOUT_DELIVERY",
        START,
    ),
    # JW307: a stop ends a start of its own provider, client and Begindatum.
    Case(
        "stop_of_another_providers_start",
        lambda: started(from_provider(care_event("JW307"), "jw307", "98000022")),
        "STOP_WITHOUT_START",
        START,
    ),
    Case(
        "stop_for_another_client",
        lambda: started(care_event("JW307", bsn=OTHER_VALID_BSN)),
        "STOP_WITHOUT_START",
        START,
    ),
    Case(
        "stop_of_another_begindatum",
        lambda: started(care_event("JW307", start="2024-03-05")),
        "STOP_WITHOUT_START",
        "toewijzing 700001 start 2024-03-05",
    ),
    Case(
        "stop_without_einddatum",
        lambda: started(replaced(care_event("JW307"), "<jw307:Einddatum>2024-06-28</jw307:Einddatum>", "")),
        "LINE_INCOMPLETE",
        START,
    ),
    Case("stop_ending_in_the_future", lambda: started(care_event("JW307", end=FUTURE)), "FUTURE_DATE", START),
    Case("stop_end_with_a_timezone", lambda: started(care_event("JW307", end="2024-06-28Z")), "DATE_INVALID", START),
    # JW315 per record.
    Case(
        "request_ends_before_it_starts",
        one("r.xml", referral_request(valid_to="2024-01-31")),
        "END_BEFORE_START",
        "referentie REF-1",
    ),
    Case(
        "request_referrer_agb_of_4_digits",
        one("r.xml", referral_request(referrer_agb="1234")),
        "REFERRER_AGB_INVALID",
        "referentie REF-1",
    ),
    Case(
        "request_date_with_a_timezone",
        one("r.xml", referral_request(valid_from="2024-02-15+01:00")),
        "DATE_INVALID",
        "referentie REF-1",
    ),
    Case("request_client_gender_x", one("r.xml", referral_request(gender="X")), "GENDER_UNKNOWN", "referentie REF-1"),
    Case(
        "request_client_born_1989",
        one("r.xml", referral_request(birth="1989-12-31")),
        "BIRTH_DATE_OUT_OF_RANGE",
        "referentie REF-1",
    ),
    Case(
        "request_code_of_another_category",
        one("r.xml", referral_request(product_code="43A01")),
        "PRODUCT_NOT_IN_CATEGORY",
        "referentie REF-1",
    ),
    Case(
        "request_budget_above_ldt_budget",
        one(
            "r.xml",
            lambda: replaced(
                referral_request(), "</jw315:Omvang>", "</jw315:Omvang><jw315:Budget>100000000</jw315:Budget>"
            ),
        ),
        "AMOUNT_OUT_OF_RANGE",
        "referentie REF-1",
    ),
]


@pytest.mark.parametrize("case", DOOR_CASES, ids=lambda case: case.id)
def test_a_record_a_gate_would_reject_is_quarantined_at_the_door(case, tmp_path, warehouse):
    hostile.test_hostile_ijw_input_is_quarantined_with_its_reason(case, tmp_path, warehouse)


def ingest(warehouse, landing, run_id: str = "door-run") -> None:
    for each in IJW_INGESTS:
        ingest_landing(warehouse, each, landing, PSEUDONYMISER, run_id)


def accepted(warehouse) -> tuple[int, int, int, int]:
    return tuple(
        warehouse.execute(f"select count(*) from {table}").fetchone()[0]  # noqa: S608 - our own tables
        for table in ("raw.ijw_referral_requests", "raw.ijw_allocations", "raw.ijw_start_events", "raw.ijw_stop_events")
    )


def test_good_records_of_every_type_pass_the_door_whatever_the_file_order(tmp_path, warehouse):
    # The stop sorts first and the allocation last: the load order (allocations, starts, stops) judges each right.
    land(
        tmp_path,
        {
            "ijw/2024/a_stop.xml": care_event("JW307"),
            "ijw/2024/b_start.xml": care_event("JW305"),
            "ijw/2024/c_request.xml": referral_request(),
            "ijw/2024/d_allocation.xml": allocation(),
        },
    )

    ingest(warehouse, tmp_path)

    assert warehouse.execute("select reason from audit.quarantine").fetchall() == []
    assert accepted(warehouse) == (1, 1, 1, 1)


def test_records_on_lines_of_their_own_are_told_apart(tmp_path, warehouse):
    one_line = minified(with_copies(allocation(), "jw301:ToegewezenProduct", (">700001<", ">700002<")))
    land(tmp_path, {"ijw/a.xml": one_line.replace(b"<jw301:ToegewezenProduct>", b"\n<jw301:ToegewezenProduct>")})

    ingest(warehouse, tmp_path)

    assert warehouse.execute("select reason from audit.quarantine").fetchall() == []
    assert warehouse.execute(
        "select allocation_number, source_line, source_record from raw.ijw_allocations order by 1"
    ).fetchall() == [
        (700001, 2, 1),
        (700002, 3, 2),
    ]


def test_a_warehouse_from_before_source_record_gets_it_numbered_by_line(tmp_path, warehouse):
    """Rows stored before the column existed are numbered per file in line order; the next ingest adds to them."""
    allocations = with_copies(allocation(), "jw301:ToegewezenProduct", (">700001<", ">700002<")).replace(
        b"</jw301:ToegewezenProduct><jw301:ToegewezenProduct>", b"</jw301:ToegewezenProduct>\n<jw301:ToegewezenProduct>"
    )
    land(tmp_path / "first", {"ijw/a.xml": allocations, "ijw/b.xml": allocation(number="700003")})
    ingest(warehouse, tmp_path / "first", "first")
    for table in hostile.IJW_TABLES.values():
        warehouse.execute(f"alter table {table} drop column source_record")

    ensure_schema(warehouse)
    ensure_schema(warehouse)

    stored = "select allocation_number, source_line, source_record from raw.ijw_allocations order by 1"
    assert warehouse.execute(stored).fetchall() == [(700001, 8, 1), (700002, 9, 2), (700003, 8, 1)]
    with pytest.raises(duckdb.ConstraintException):
        warehouse.execute("update raw.ijw_allocations set source_record = null")
    land(tmp_path / "second", {"ijw/c.xml": minified(allocation(number="700004"))})
    ingest(warehouse, tmp_path / "second", "second")
    assert warehouse.execute(stored).fetchall()[-1] == (700004, 1, 1)


STARTS = (("Begindatum>2024-03-04<", "Begindatum>2024-03-11<"), ("Aanlevering>1<", "Aanlevering>3<"))
"""A second start of allocation 700001's product, and the withdrawal of the first, after the one in the message."""

MINIFIED_CASES = {
    "JW301": lambda: {
        "ijw/a.xml": minified(
            with_copies(allocation(), "jw301:ToegewezenProduct", (">700001<", ">700002<"), (">700001<", ">700003<"))
        )
    },
    "JW315": lambda: {
        "ijw/r.xml": minified(
            with_copies(referral_request(), "jw315:AangevraagdProduct", (">REF-1<", ">REF-2<"), (">REF-1<", ">REF-3<"))
        )
    },
    "JW305": lambda: with_allocation(
        ("ijw/s.xml", minified(with_copies(care_event("JW305"), "jw305:StartProduct", *STARTS)))
    ),
    "JW307": lambda: with_allocation(
        ("ijw/t.xml", minified(with_copies(care_event("JW307"), "jw307:StopProduct", *STARTS))),
        **{"ijw/s.xml": with_copies(care_event("JW305"), "jw305:StartProduct", STARTS[0])},
    ),
}


@pytest.mark.parametrize("message_type", MINIFIED_CASES)
def test_a_message_written_on_one_line_loads_every_record_and_passes_its_raw_suite(message_type, tmp_path, warehouse):
    """Minified XML puts every record on line 1: each is told apart by its position in the file, which the raw
    suite's uniqueness holds, and a withdrawal after its delivery on the same line is after it."""
    [path, *_] = land(tmp_path, MINIFIED_CASES[message_type]()).values()

    ingest(warehouse, tmp_path)

    assert warehouse.execute("select reason from audit.quarantine").fetchall() == []
    table = hostile.IJW_TABLES[message_type]
    rows = warehouse.execute(
        f"select * from {table} where file_path = ? order by source_record",  # noqa: S608 - a raw table of ours
        [str(path)],
    ).df()
    assert path.read_bytes().count(b"\n") == 0
    assert rows["source_line"].tolist() == [1, 1, 1]
    assert rows["source_record"].tolist() == [1, 2, 3]
    suite = read_suite_file(EXPECTATIONS_DIR / f"{table}.json")
    assert validate(rows, suite) == []
    assert validate(rows.assign(source_record=1), suite), "the suite tells records apart by source_record"
    hostile.assert_invariants(warehouse, hostile.IJW_TABLES)


def test_an_allocation_resent_with_a_change_keeps_its_number_and_a_start_in_either_version_is_accepted(
    tmp_path, warehouse
):
    land(
        tmp_path,
        {
            "ijw/1_allocation.xml": allocation(valid_to="2024-03-31"),
            "ijw/2_change.xml": allocation(allocated_on="2024-03-20", valid_to="2024-12-31"),
            "ijw/3_start.xml": care_event("JW305", start="2024-04-15"),
        },
    )

    ingest(warehouse, tmp_path)

    assert warehouse.execute("select reason from audit.quarantine").fetchall() == []
    assert accepted(warehouse) == (0, 2, 1, 0)


def test_a_start_and_stop_landed_a_run_after_their_allocation_are_accepted(tmp_path, warehouse):
    land(tmp_path / "first", {"ijw/allocation.xml": allocation()})
    ingest(warehouse, tmp_path / "first", "first")
    land(tmp_path / "second", {"ijw/start.xml": care_event("JW305"), "ijw/stop.xml": care_event("JW307")})

    ingest(warehouse, tmp_path / "second", "second")

    assert warehouse.execute("select reason from audit.quarantine").fetchall() == []
    assert accepted(warehouse) == (0, 1, 1, 1)


def test_a_start_before_its_allocation_is_refused_and_its_stop_with_it(tmp_path, warehouse):
    """Across runs the rule holds as STOP_WITHOUT_START does: a start landed a run before its allocation is refused
    (TR019), not kept waiting; the provider sends it again after the allocation."""
    land(tmp_path / "first", {"ijw/start.xml": care_event("JW305"), "ijw/stop.xml": care_event("JW307")})
    ingest(warehouse, tmp_path / "first", "first")
    land(tmp_path / "second", {"ijw/allocation.xml": allocation()})

    ingest(warehouse, tmp_path / "second", "second")

    assert warehouse.execute("select reason_code from audit.quarantine order by 1").fetchall() == [
        ("STOP_WITHOUT_START",),
        ("TR019",),
    ]
    assert accepted(warehouse) == (0, 1, 0, 0)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-02-29", dt.date(2024, 2, 29)),
        (" 2024-12-31\n", dt.date(2024, 12, 31)),
        ("2023-02-29", None),
        ("2024-02-30", None),
        ("2024-2-1", None),
        ("20240201", None),
        ("2024-02-01Z", None),
        ("2024-02-01+01:00", None),
        ("2024-02-01T00:00", None),
        ("2024-W05-4", None),
        ("２０２４-02-01", None),
        ("", None),
        (None, None),
    ],
)
def test_dates_are_xs_date_without_timezone_as_ldt_datum_says(text, expected):
    if expected is None:
        with pytest.raises(RecordError) as raised:
            parse_date(text, "Begindatum")
        assert raised.value.reason_code == "DATE_INVALID"
    else:
        assert parse_date(text, "Begindatum") == expected


def _build_after_the_door(tmp_path, files: dict[str, bytes], model: str):
    """Lands files, ingests them (nothing quarantined) and builds model with what it reads and the tests wholly on
    them (cautious selection); returns the warehouse's path."""
    path = tmp_path / "warehouse.duckdb"
    land(tmp_path / "landing", files)
    with duckdb.connect(str(path)) as con:
        ensure_schema(con)
        ingest(con, tmp_path / "landing")
        assert con.execute("select reason from audit.quarantine").fetchall() == []
    run_dbt(path, ["build", "--select", f"+{model}", "--indirect-selection", "cautious"])
    return path


def test_a_restart_keeps_its_own_stop_and_a_later_change_keeps_the_first_allocation_date(tmp_path):
    """What the door lets through, the gates downstream hold: care stopped (temporarily, JZ588 20) and started again
    on the same allocation is open, not ended by the stop of the earlier start before it began (fct_trajectory:
    end_date >= start_date); and an allocation changed after its start keeps the date it was first allocated on
    (fct_referral's lead time from allocation to start counts from it)."""
    path = _build_after_the_door(
        tmp_path,
        {
            "ijw/1_allocation.xml": allocation(),
            "ijw/2_start.xml": care_event("JW305"),
            "ijw/3_stop.xml": care_event("JW307", end="2024-04-30", end_reason="20"),
            "ijw/4_restart.xml": replaced(care_event("JW305", start="2024-06-03"), ">E1<", ">E2<"),
            "ijw/5_change.xml": allocation(allocated_on="2024-09-02", valid_to="2024-10-31"),
        },
        "int_care_episodes_applied",
    )

    assert query(
        path, "select start_date::varchar, end_date, allocated_on::varchar from intermediate.int_care_episodes_applied"
    ) == [("2024-06-03", None, "2024-03-01")]
    assert query(
        path, "select allocated_on::varchar, valid_to::varchar from intermediate.int_allocations_referred"
    ) == [("2024-03-01", "2024-10-31")]


def test_a_start_before_its_allocation_was_made_is_accepted_without_a_lead_time(tmp_path):
    """An allocation made afterwards (Toewijzingsdatum 2024-03-10 after its Ingangsdatum 2024-03-01: crisis care
    allocated once it ran) holds a start on 2024-03-04: the door accepts it, and fct_referral gives it no lead time
    from allocation to start, so its Great Expectations suite passes."""
    path = _build_after_the_door(
        tmp_path,
        {
            "ijw/1_allocation.xml": allocation(allocated_on="2024-03-10", valid_from="2024-03-01"),
            "ijw/2_start.xml": care_event("JW305", start="2024-03-04"),
        },
        "fct_referral",
    )

    assert query(
        path, "select allocated_on::varchar, started_on::varchar, days_allocation_to_start from marts.fct_referral"
    ) == [("2024-03-10", "2024-03-04", None)]
    with duckdb.connect(str(path), read_only=True) as con:
        rows = con.execute("select * from marts.fct_referral").df()
    suite = read_suite_file(EXPECTATIONS_DIR / "marts.fct_referral.json")
    assert validate(rows, suite) == []
    assert validate(rows.assign(days_allocation_to_start=-6), suite), "the suite refuses a negative lead time"


def test_records_on_one_line_are_versioned_and_withdrawn_in_their_file_order(tmp_path):
    """dbt takes the later of two versions of an allocation on one line as the latest, whatever their content (the
    later one shortens the allocation), and applies a withdrawal to the start before it on the same line (the
    withdrawn start is the later one, so it would otherwise be the episode's)."""
    versions = with_copies(
        allocation(valid_to="2024-12-31"), "jw301:ToegewezenProduct", (">2024-12-31<", ">2024-06-30<")
    )
    starts = with_copies(
        care_event("JW305", start="2024-03-11"),
        "jw305:StartProduct",
        ("Aanlevering>1<", "Aanlevering>3<"),
        ("Begindatum>2024-03-11<", "Begindatum>2024-03-04<"),
    )
    path = _build_after_the_door(
        tmp_path,
        {
            "ijw/1_allocation.xml": minified(versions),
            "ijw/2_start.xml": minified(starts),
            "ijw/3_stop.xml": minified(care_event("JW307")),
        },
        "int_care_episodes_applied",
    )
    with duckdb.connect(str(path), read_only=True) as con:
        assert accepted(con) == (0, 2, 3, 1)

    assert query(
        path,
        "select valid_to::varchar, start_date::varchar, end_date::varchar from intermediate.int_care_episodes_applied"
        " join intermediate.int_allocations_referred using (allocation_number)",
    ) == [("2024-06-30", "2024-03-04", "2024-06-28")]


def test_a_truncated_allocation_quarantines_the_record_it_completed_with_the_file(tmp_path):
    # The break falls inside the Client, after its record: the record keeps its Client and goes with the file.
    data = allocation()
    path = tmp_path / "a.xml"
    path.write_bytes(data[: data.index(b"</jw301:ToegewezenProducten>")])
    parsed = read_message(path, allocations.SPEC, PSEUDONYMISER)
    assert [(r.record_ref, r.reason_code) for r in parsed.rejections] == [("toewijzing 700001", "XML_MALFORMED")]
    assert parsed.file_rejection.reason_code == "XML_MALFORMED"

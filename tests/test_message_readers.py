"""JW301, JW305, JW307 and JW315 readers on the official example messages (../shared/reference/ijw-3.2/berichten).

The examples use category 55 codes that are not in the national product code list; the tests swap in a listed code
(45A04) so that the records are accepted, and keep one example untouched to show the quarantine.
"""

import datetime as dt
from pathlib import Path

import pytest

from orchestration.ijw import allocations, care_events, referral_requests
from orchestration.ijw.pseudonym import Pseudonymiser
from tests.conftest import REPO_ROOT
from tests.ijw_landing import read_message

EXAMPLES = REPO_ROOT.parent / "shared" / "reference" / "ijw-3.2" / "berichten"
PSEUDONYMISER = Pseudonymiser(b"reader-test-key-0123456789")


@pytest.fixture(scope="module")
def examples() -> Path:
    if not EXAMPLES.exists():
        pytest.skip(f"iJw 3.2 example messages not found in {EXAMPLES} (they come with ../shared/reference)")
    return EXAMPLES


def listed_products(examples: Path, name: str, tmp_path: Path) -> Path:
    text = (examples / name).read_text(encoding="utf-8")
    for old, new in (("55A11", "45A04"), ("55A12", "45A48"), (">55<", ">45<")):
        text = text.replace(old, new)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_jw301_allocations_keep_only_pseudonym_birth_month_and_gender(examples, tmp_path):
    parsed = read_message(listed_products(examples, "JW301.xml", tmp_path), allocations.SPEC, PSEUDONYMISER)
    assert parsed.file_rejection is None and not parsed.rejections
    first, second = parsed.records
    assert (first.allocation_number, first.provider_reference, first.product_code) == (300201, "40A12341234", "45A04")
    assert (first.allocated_on, first.valid_from, first.valid_to) == (
        dt.date(2026, 4, 1),
        dt.date(2026, 4, 1),
        dt.date(2026, 7, 14),
    )
    assert (first.volume, first.unit_code, first.frequency_code) == (2, "04", "2")
    assert (first.municipality_code, first.provider_agb) == ("GM0384", "42420001")
    assert (first.birth_year, first.birth_month, first.gender_code) == (2010, 2, "1")
    assert second.unit_code == "16"
    stored = repr(parsed.records)
    for personal in ("Wit", "Tom", "Van Woustraat", "9999XX", "0201234567", "abc@def.com", "999900006", "Galen"):
        assert personal not in stored


def test_jw305_and_jw307_start_and_stop(examples, tmp_path):
    starts = read_message(listed_products(examples, "JW305.xml", tmp_path), care_events.START_SPEC, PSEUDONYMISER)
    stops = read_message(listed_products(examples, "JW307.xml", tmp_path), care_events.STOP_SPEC, PSEUDONYMISER)
    assert [(s.allocation_number, s.start_date, s.delivery_status) for s in starts.records] == [
        (300201, dt.date(2026, 4, 3), "1"),
        (300202, dt.date(2026, 4, 15), "1"),
    ]
    assert [(s.allocation_number, s.end_date, s.end_reason_code) for s in stops.records] == [
        (300201, dt.date(2026, 7, 17), "31"),
        (300202, dt.date(2026, 7, 17), "31"),
    ]
    assert starts.records[0].client_key == stops.records[0].client_key == PSEUDONYMISER.client_key("999900006")


def test_jw315_referrer_and_the_examples_impossible_date(examples, tmp_path):
    parsed = read_message(listed_products(examples, "JW315.xml", tmp_path), referral_requests.SPEC, PSEUDONYMISER)
    # Both requested products end on 2027-06-31, which does not exist: each is quarantined on its own.
    assert not parsed.records
    assert [(r.record_ref, r.reason_code) for r in parsed.rejections] == [
        ("referentie 40A12341234", "DATE_INVALID"),
        ("referentie 40A12341235", "DATE_INVALID"),
    ]
    fixed = tmp_path / "JW315_fixed.xml"
    fixed.write_text(listed_products(examples, "JW315.xml", tmp_path).read_text().replace("2027-06-31", "2027-06-30"))
    parsed = read_message(fixed, referral_requests.SPEC, PSEUDONYMISER)
    assert [(r.provider_reference, r.referrer_type_code, r.referrer_agb, r.requested_on) for r in parsed.records] == [
        ("40A12341234", "01", None, dt.date(2026, 4, 1)),
        ("40A12341235", "02", "12345678", dt.date(2026, 4, 1)),
    ]
    assert "huisarts" not in repr(parsed.records)


def test_codes_in_neither_the_national_nor_the_regions_list_are_quarantined(examples, tmp_path):
    # The examples' own 55A11 and 55A12 are the shipped region codes (seeds/reference/region_product_codes.csv).
    text = (examples / "JW301.xml").read_text(encoding="utf-8").replace("55A11", "55A19").replace("55A12", "55A18")
    path = tmp_path / "JW301.xml"
    path.write_text(text, encoding="utf-8")
    parsed = read_message(path, allocations.SPEC, PSEUDONYMISER)
    assert {r.reason_code for r in parsed.rejections} == {"PRODUCT_CODE_UNKNOWN"}
    assert len(parsed.rejections) == 2 and not parsed.records

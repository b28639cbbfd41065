"""A landing directory holding hostile entries of every class of docs/reliability.md beside good files: the whole
pipeline, run as `make run` runs it, succeeds; every good record lands; every bad entry is in audit.quarantine with the
reason this test names for it by hand (the official examples' own reasons come from their XML, as in
tests/test_official_examples.py); the ledger balances and no BSN is stored.
"""

import os
from collections import Counter
from pathlib import Path

import dagster as dg
import duckdb

from tests.hostile.allocation_documents import allocation
from tests.hostile.documents import budget_csv, care_event, kerncijfer, kerncijfers_snapshot
from tests.jw323_documents import VALID_BSN, client, document, prestatie
from tests.test_official_examples import EXAMPLES_DIR, expected_accepted_cents, expected_quarantine, land

SEPTEMBER, OCTOBER = ("2024-09-01", "2024-09-30"), ("2024-10-01", "2024-10-31")
GOOD_ALLOCATION = 800002


def jw323(number: str, line, period: tuple[str, str]) -> bytes:
    text = document(client(VALID_BSN, line), period=period, declaration_date=f"{period[1][:7]}-28")
    return text.replace("<jw323:DeclaratieNummer>DT01<", f"<jw323:DeclaratieNummer>{number}<").encode()


def land_hostile(landing: Path, outside: Path) -> dict[str, set[str]]:
    """Lands one or more entries of each class; returns each entry's path (relative to the landing directory, as the
    ledger writes it) -> the reason codes its quarantine rows must carry (empty: it loads whole)."""
    ijw = landing / "ijw" / "hostile"
    ijw.mkdir(parents=True)
    outside.mkdir()
    (outside / "secret.xml").write_bytes(allocation(number="800001"))
    # The file system (class 3).
    os.mkfifo(ijw / "fifo.xml")
    os.symlink(outside / "secret.xml", ijw / "link_out.xml")
    os.symlink(ijw / "nowhere.xml", ijw / "dangling.xml")
    (ijw / "empty.xml").write_bytes(b"")
    with open(os.fsencode(ijw) + b"/bad\xffname.xml", "wb") as handle:
        handle.write(allocation(number="800003"))
    (ijw / "UPPER.XML").write_bytes(allocation(number=str(GOOD_ALLOCATION)))
    # What a gate downstream would reject (class 2) and attribution (class 5).
    (ijw / "jw301_end_before_start.xml").write_bytes(
        allocation(number="800004", valid_from="2024-05-01", valid_to="2024-04-01")
    )
    (ijw / "jw301_wrong_category.xml").write_bytes(allocation(number="800005", category="43"))
    (ijw / "jw301_impossible_date.xml").write_bytes(allocation(number="800006", valid_from="2024-02-30"))
    (ijw / "jw305_never_allocated.xml").write_bytes(care_event("JW305", allocation=899999))
    (ijw / "jw307_ends_before_it_starts.xml").write_bytes(
        care_event("JW307", allocation=GOOD_ALLOCATION, start="2024-03-04", end="2024-03-01")
    )
    # Money (class 5): a ReferentieNummer used again for another period; a BSN as a reference (class 6).
    (ijw / "jw323_a_september.xml").write_bytes(jw323("DT01", prestatie("RN77", 45000, period=SEPTEMBER), SEPTEMBER))
    (ijw / "jw323_b_october_same_reference.xml").write_bytes(
        jw323("DT02", prestatie("RN77", 45000, period=OCTOBER), OCTOBER)
    )
    (ijw / "jw323_c_bsn_as_reference.xml").write_bytes(
        jw323("DT03", prestatie(VALID_BSN, 1000, period=SEPTEMBER, allocation=123457), SEPTEMBER)
    )
    # Parser limits and door rules of CBS and budgets (classes 2 and 4), each beside a good record.
    cbs = landing / "cbs"
    cbs.mkdir()
    (cbs / "85099NED_negative.json").write_bytes(
        kerncijfers_snapshot([kerncijfer("GM0392  ", 3150), kerncijfer("GM0453  ", -5)])
    )
    (cbs / "85099NED_nan.json").write_bytes(
        kerncijfers_snapshot([kerncijfer("GM0453  ", 7)]).replace(b'Jeugdhulp_1": 7', b'Jeugdhulp_1": NaN')
    )
    (cbs / "85099NED_deep.json").write_bytes(b"[" * 100_000 + b"]" * 100_000)
    budgets = landing / "budgets"
    budgets.mkdir()
    (budgets / "regiobudget_hostile.csv").write_bytes(
        budget_csv(
            "GM0392;2024;Verblijf;-1.000,00", "GM0392;2024;Verblijf;1e400", header="gemeente;jaar;perceel;bedrag"
        )
    )
    return {
        "ijw/hostile/fifo.xml": {"FILE_NOT_REGULAR"},
        "ijw/hostile/link_out.xml": {"FILE_OUTSIDE_LANDING"},
        "ijw/hostile/dangling.xml": {"FILE_NOT_REGULAR"},
        "ijw/hostile/empty.xml": {"FILE_EMPTY"},
        "ijw/hostile/bad\\xffname.xml": {"FILE_NAME_INVALID"},
        "ijw/hostile/UPPER.XML": set(),
        "ijw/hostile/jw301_end_before_start.xml": {"END_BEFORE_START"},
        "ijw/hostile/jw301_wrong_category.xml": {"PRODUCT_NOT_IN_CATEGORY"},
        "ijw/hostile/jw301_impossible_date.xml": {"DATE_INVALID"},
        "ijw/hostile/jw305_never_allocated.xml": {"TR019"},
        "ijw/hostile/jw307_ends_before_it_starts.xml": {"END_BEFORE_START"},
        "ijw/hostile/jw323_a_september.xml": set(),
        "ijw/hostile/jw323_b_october_same_reference.xml": {"TR314"},
        "ijw/hostile/jw323_c_bsn_as_reference.xml": set(),
        "cbs/85099NED_negative.json": {"VALUE_NEGATIVE"},
        "cbs/85099NED_nan.json": {"VALUE_INVALID"},
        "cbs/85099NED_deep.json": {"SNAPSHOT_NOT_JSON"},
        "budgets/regiobudget_hostile.csv": {"AMOUNT_NEGATIVE", "AMOUNT_INVALID"},
    }


def test_a_landing_with_hostile_entries_of_every_class_runs_through_and_quarantines_each(
    definitions, warehouse_env, monkeypatch, tmp_path
):
    examples = sorted(EXAMPLES_DIR.glob("*.xml"))
    assert examples, f"the official iJw 3.2 example messages belong in {EXAMPLES_DIR} (../shared/reference)"
    warehouse_dir, landing = warehouse_env
    monkeypatch.delenv("IJW_XSD_DIR", raising=False)
    monkeypatch.setenv("CBS_MODE", "offline")
    land(examples, landing)
    expected = land_hostile(landing, tmp_path / "outside")

    result = definitions.resolve_implicit_global_asset_job_def().execute_in_process(
        instance=dg.DagsterInstance.ephemeral(), raise_on_error=False
    )

    failed_blocking = [e.check_name for e in result.get_asset_check_evaluations() if e.blocking and not e.passed]
    assert result.success and not failed_blocking, failed_blocking
    prefix = f"{landing}/"
    with duckdb.connect(str(warehouse_dir / "warehouse.duckdb"), read_only=True) as con:
        quarantine = con.execute("select file_path, reason_code from audit.quarantine").fetchall()
        ledger = dict(con.execute("select file_path, status from audit.ingest_ledger").fetchall())
        unbalanced = con.execute(
            "select count(*) from audit.ingest_ledger where records_read <> records_accepted + records_quarantined "
            "or amount_cents_read <> amount_cents_accepted + amount_cents_quarantined"
        ).fetchone()
        allocations = {n for (n,) in con.execute("select allocation_number from raw.ijw_allocations").fetchall()}
        good_cbs = con.execute("select count(*) from raw.cbs_jeugdzorg_kerncijfers").fetchone()
        good_budget = con.execute("select count(*) from raw.budget_region_lines").fetchone()
        declared = con.execute("select sum(amount_cents) from marts.fct_declaration_line").fetchone()
        dumps = [
            repr(con.execute(f'select * from "{schema}"."{table}"').fetchall())  # noqa: S608 - the catalogue's names
            for schema, table in con.execute(
                "select table_schema, table_name from information_schema.tables"
            ).fetchall()
        ]

    hostile_reasons: dict[str, set[str]] = {path: set() for path in expected}
    examples_quarantine: Counter = Counter()
    for path, reason in quarantine:
        relative = path.removeprefix(prefix)
        if relative in hostile_reasons:
            hostile_reasons[relative].add(reason)
        else:
            examples_quarantine[(Path(path).name, reason)] += 1
    assert hostile_reasons == expected
    assert examples_quarantine == expected_quarantine(examples)
    assert all(prefix + path in ledger for path in expected), "every hostile entry has its ledger row"
    assert unbalanced == (0,)
    # The good records beside the bad ones: the upper-case file's allocation, the September line and the one whose
    # reference was a BSN (with the example's own lines), one CBS figure, one budget line.
    assert GOOD_ALLOCATION in allocations
    assert declared == (expected_accepted_cents(EXAMPLES_DIR / "JW323.xml") + 45000 + 1000,)
    assert good_cbs == (1,) and good_budget == (1,)
    assert not any(VALID_BSN in dump for dump in dumps)

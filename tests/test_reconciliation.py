"""The reconciliation check passes on an honest warehouse and fails, naming the file, on every kind of tampering."""

import dagster as dg
import duckdb
import pytest

from orchestration.defs.quality.reconciliation import reconciliation_checks
from orchestration.defs.resources import WarehouseResource
from orchestration.ijw.pseudonym import Pseudonymiser
from orchestration.quality.reconciliation import reconcile
from orchestration.warehouse.ijw_messages import IJW_INGESTS
from tests.ijw_landing import ingest_landing
from tests.jw323_documents import INVALID_BSN, VALID_BSN, client, document, prestatie

PSEUDONYMISER = Pseudonymiser(b"reconciliation-test-key-0123")
DECLARATIONS = "raw.ijw_declaration_lines"


@pytest.fixture
def loaded(warehouse_env):
    """A warehouse holding one loaded file (two accepted lines, one quarantined) and one rejected file."""
    warehouse_dir, landing_dir = warehouse_env
    mixed = landing_dir / "ijw" / "mixed.xml"
    mixed.write_text(
        document(
            client(VALID_BSN, prestatie("R1", 5000), prestatie("R2", 700, allocation=123457)),
            client(INVALID_BSN, prestatie("R3", 300)),
        )
    )
    rejected = landing_dir / "ijw" / "rejected.xml"
    rejected.write_text(document(client(VALID_BSN, prestatie("R1", 1000)), total=1))
    with WarehouseResource().connect() as con:
        for ingest in IJW_INGESTS:
            ingest_landing(con, ingest, landing_dir, PSEUDONYMISER, "run-1")
    return warehouse_dir / "warehouse.duckdb", mixed, rejected


def problems(database) -> list[str]:
    with duckdb.connect(str(database), read_only=True) as con:
        return [str(mismatch) for mismatch in reconcile(con, DECLARATIONS, ["JW323"])]


def problems_sha(database, path) -> str:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute("select file_sha256 from audit.ingest_ledger where file_path = ?", [str(path)]).fetchone()[
            0
        ][:12]


def tamper(database, sql: str) -> None:
    with duckdb.connect(str(database)) as con:
        con.execute(sql)


def test_an_honest_warehouse_reconciles(loaded):
    database, _, _ = loaded
    with duckdb.connect(str(database), read_only=True) as con:
        ledger = con.execute(
            "select status, records_read, records_accepted, records_quarantined, amount_cents_read, "
            "amount_cents_accepted, amount_cents_quarantined from audit.ingest_ledger order by file_path"
        ).fetchall()
    assert ledger == [("loaded", 3, 2, 1, 6000, 5700, 300), ("rejected", 1, 0, 1, 1000, 0, 1000)]
    assert problems(database) == []


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        (
            f"delete from {DECLARATIONS} where reference_number = 'R2'",
            "holds 1 rows / 5000 cents, ledger accepted 2 / 5700",
        ),
        (f"update {DECLARATIONS} set amount_cents = 5001 where reference_number = 'R1'", "holds 2 rows / 5701 cents"),
        ("delete from audit.quarantine where record_ref = 'DT01/R3'", "audit.quarantine holds 0 records / 0 cents"),
        ("update audit.quarantine set amount_cents = 0 where record_ref = 'DT01/R3'", "holds 1 records / 0 cents"),
    ],
    ids=["raw_row_deleted", "raw_cents_changed", "quarantine_row_deleted", "quarantine_cents_changed"],
)
def test_tampering_with_the_loaded_file_is_caught_and_named(loaded, sql, expected):
    database, mixed, _ = loaded
    tamper(database, sql)
    [problem] = problems(database)
    assert problem.startswith(str(mixed)) and expected in problem


def test_a_rejected_file_without_its_file_level_row_is_caught(loaded):
    database, _, rejected = loaded
    tamper(database, "delete from audit.quarantine where record_ref is null")
    assert problems(database) == [
        f"{rejected} ({problems_sha(database, rejected)}): 0 file-level quarantine rows for a rejected file"
    ]


def test_raw_rows_without_a_ledger_row_are_caught(loaded):
    database, _, _ = loaded
    tamper(
        database,
        f"insert into {DECLARATIONS} "
        f"select * replace ('f' || file_sha256[2:] as file_sha256) from {DECLARATIONS} limit 1",
    )
    assert any("1 rows in raw.ijw_declaration_lines without a ledger row" in p for p in problems(database))


def test_the_blocking_asset_check_fails_with_the_file_in_its_description(loaded):
    database, mixed, _ = loaded
    [check] = [c for c in reconciliation_checks if c.spec.asset_key.path == ["raw", DECLARATIONS[4:]]]
    assert check.spec.blocking
    assert check.evaluate(dg.build_asset_check_context(), WarehouseResource()).passed

    tamper(database, f"delete from {DECLARATIONS} where reference_number = 'R2'")
    result = check.evaluate(dg.build_asset_check_context(), WarehouseResource())

    assert not result.passed
    assert str(mixed) in result.description and result.metadata["mismatches"].value == 1

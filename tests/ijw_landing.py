"""The iJw ingest as the Dagster assets run it, in one call, for tests that land files and ingest them in process."""

from pathlib import Path

import duckdb
from lxml import etree

from orchestration.ijw.pseudonym import Pseudonymiser
from orchestration.ijw.reader import MessageSpec
from orchestration.warehouse import landing_inventory
from orchestration.warehouse.ijw_messages import UNRECOGNISED_OWNER, IjwIngest
from orchestration.warehouse.ingest_lanes import lane_parts
from orchestration.warehouse.load import LedgerEntry, ParsedFile, record_odd_entries
from orchestration.warehouse.record_rules import read_record_batch


def claimed_paths(con: duckdb.DuckDBPyConnection, ingests: list[IjwIngest], landing_dir: Path) -> dict[str, list[str]]:
    """The inventoried files each ingest has yet to read, by message type, in path order: its part of one lane."""
    return {part.message_type: part.paths for part in lane_parts(con, ingests, landing_dir, 1)}


def claimed_files(con: duckdb.DuckDBPyConnection, ingest: IjwIngest, landing_dir: Path) -> list[Path]:
    return [Path(path) for path in claimed_paths(con, [ingest], landing_dir)[ingest.spec.message_type]]


def ingest_landing(
    con: duckdb.DuckDBPyConnection, ingest: IjwIngest, landing_dir: Path, pseudonymiser: Pseudonymiser, run_id: str
) -> list[LedgerEntry]:
    """The inventory brought up to date, then ingest's files loaded: what the inventory and ingest assets do. The
    odd entries go with the ingest that owns them, so a loop over every ingest records each once."""
    update = landing_inventory.update_inventory(con, landing_dir)
    odd = update.odd_entries if ingest is UNRECOGNISED_OWNER else []
    return record_odd_entries(con, odd, ingest.source, run_id) + ingest.ingest_files(
        con, claimed_files(con, ingest, landing_dir), pseudonymiser, run_id, landing_dir=landing_dir
    )


def read_message(
    path: Path, spec: MessageSpec, pseudonymiser: Pseudonymiser, schema: etree.XMLSchema | None = None
) -> ParsedFile:
    """One message read and decided on its own (against no earlier file), its accepted records as row_type values:
    for a tool or a test that reads one file as the ingest would."""
    with duckdb.connect(":memory:") as con:
        [(parsed, _sha256)], _insert = read_record_batch(
            con, [(path, path.read_bytes(), "")], spec, pseudonymiser, schema
        )
    return parsed

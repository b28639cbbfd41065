"""The iJw ingest as the Dagster assets run it, in one call, for tests that land files and ingest them in process."""

import tempfile
from pathlib import Path

import duckdb
from lxml import etree

from orchestration.ijw.pseudonym import Pseudonymiser
from orchestration.ijw.reader import MessageSpec
from orchestration.warehouse import landing_inventory
from orchestration.warehouse.ijw_messages import IJW_INGESTS, UNRECOGNISED_OWNER, IjwIngest, reading_spec
from orchestration.warehouse.ingest_lanes import lane_parts
from orchestration.warehouse.load import LedgerEntry, ParsedFile, record_odd_entries
from orchestration.warehouse.read_pass import ReadSettings, TextReader
from orchestration.warehouse.record_rules import decide_files, registered


def claimed_paths(con: duckdb.DuckDBPyConnection, ingests: list[IjwIngest], landing_dir: Path) -> dict[str, list[str]]:
    """The inventoried files each ingest has yet to read, by message type, in path order: its part of one lane."""
    return {part.message_type: part.paths for part in lane_parts(con, ingests, landing_dir, 1)}


def claimed_files(con: duckdb.DuckDBPyConnection, ingest: IjwIngest, landing_dir: Path) -> list[Path]:
    return [Path(path) for path in claimed_paths(con, [ingest], landing_dir)[ingest.spec.message_type]]


def take_inventory(
    con: duckdb.DuckDBPyConnection,
    landing_dir: Path,
    stage_dir: Path | None = None,
    message_types: tuple[str | None, ...] = (),
    pseudonymiser: Pseudonymiser = Pseudonymiser(b"inventory-test-key-0123456789"),  # noqa: B008 - never changes
) -> landing_inventory.InventoryUpdate:
    """The inventory brought up to date and its unread files read (into stage_dir, else a stage thrown away), so each
    file has its type: what the ingest step does before it loads."""
    update = landing_inventory.update_inventory(con, landing_dir)
    with tempfile.TemporaryDirectory(prefix="ijw-stage-") as temporary:
        settings = ReadSettings(landing_dir, stage_dir or Path(temporary), pseudonymiser, reading_spec)
        landing_inventory.read_unread(con, settings, message_types)
    return update


def ingest_landing(
    con: duckdb.DuckDBPyConnection, ingest: IjwIngest, landing_dir: Path, pseudonymiser: Pseudonymiser, run_id: str
) -> list[LedgerEntry]:
    """What the ingest step does with only ingest's asset selected (_ingest): a loop over every ingest records each odd
    entry once, and reads a file again for each ingest that claims it."""
    return _ingest(con, [ingest], landing_dir, pseudonymiser, run_id)


def read_message(
    path: Path, spec: MessageSpec, pseudonymiser: Pseudonymiser, schema: etree.XMLSchema | None = None
) -> ParsedFile:
    """One message read with spec whatever its root says and decided on its own (against no earlier file), its accepted
    records as row_type values: for a tool or a test that reads one file as the ingest would."""
    reader = TextReader(lambda _message_type: spec, pseudonymiser, lambda _message_type: schema)
    read = reader.read(path, path.read_bytes(), "")
    with duckdb.connect(":memory:") as con, registered(con, record_texts=reader.frame(spec.message_type)):
        [(parsed, _sha256)], _insert = decide_files(con, [read], "record_texts")
    return parsed


def ingest_all(
    con: duckdb.DuckDBPyConnection, landing_dir: Path, pseudonymiser: Pseudonymiser, run_id: str
) -> list[LedgerEntry]:
    """What the ingest step does with every asset selected (_ingest): each file the ingest has not read is read once."""
    return _ingest(con, list(IJW_INGESTS), landing_dir, pseudonymiser, run_id)


def _ingest(
    con: duckdb.DuckDBPyConnection,
    ingests: list[IjwIngest],
    landing_dir: Path,
    pseudonymiser: Pseudonymiser,
    run_id: str,
) -> list[LedgerEntry]:
    """The inventory brought up to date and the files not read yet read once, then each ingest's files loaded from what
    was read, in process; the odd entries recorded by the ingest that owns them, when it is one of these."""
    claimed = tuple(kind for ingest in ingests for kind in ingest.claimed_types)
    entries: list[LedgerEntry] = []
    with tempfile.TemporaryDirectory(prefix="ijw-stage-") as stage:
        update = take_inventory(con, landing_dir, Path(stage), claimed, pseudonymiser)
        if UNRECOGNISED_OWNER in ingests:
            entries += record_odd_entries(con, update.odd_entries, UNRECOGNISED_OWNER.source, run_id)
        for ingest in ingests:
            entries += ingest.ingest_files(
                con,
                claimed_files(con, ingest, landing_dir),
                pseudonymiser,
                run_id,
                landing_dir=landing_dir,
                stage_dir=Path(stage),
            )
    return entries

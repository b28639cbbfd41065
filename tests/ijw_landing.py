"""The iJw ingest as the Dagster assets run it, in one call, for tests that land files and ingest them in process."""

from pathlib import Path

import duckdb

from orchestration.ijw.pseudonym import Pseudonymiser
from orchestration.warehouse import landing_inventory
from orchestration.warehouse.ijw_messages import UNRECOGNISED_OWNER, IjwIngest, claimed_files, record_odd_entries
from orchestration.warehouse.load import LedgerEntry


def ingest_landing(
    con: duckdb.DuckDBPyConnection, ingest: IjwIngest, landing_dir: Path, pseudonymiser: Pseudonymiser, run_id: str
) -> list[LedgerEntry]:
    """The inventory brought up to date, then ingest's files loaded: what the inventory and ingest assets do. The
    odd entries go with the ingest that owns them, so a loop over every ingest records each once."""
    update = landing_inventory.update_inventory(con, landing_dir)
    odd = record_odd_entries(con, update.odd_entries, run_id) if ingest is UNRECOGNISED_OWNER else []
    return odd + ingest.ingest_files(
        con, claimed_files(con, ingest, landing_dir), pseudonymiser, run_id, landing_dir=landing_dir
    )

"""The batch loop of the iJw ingest (orchestration/warehouse/ijw_ingest.py)."""

import gc

import duckdb
import pytest

from orchestration.ijw.pseudonym import Pseudonymiser
from orchestration.warehouse import ijw_ingest
from orchestration.warehouse.ijw_messages import ALLOCATIONS
from orchestration.warehouse.schema import ensure_schema
from tests.conftest import copy_sample_ijw


def test_the_collector_runs_less_often_while_batches_load_and_as_before_afterwards(tmp_path):
    files = [path for path in copy_sample_ijw(tmp_path) if path.name.startswith("JW301_")][:3]
    seen_during_batches = []

    def read_batch(*args):
        seen_during_batches.append(gc.get_threshold())
        if len(seen_during_batches) == 2:
            raise RuntimeError("a batch fails")
        return ijw_ingest.read_each_file(*args)

    before = gc.get_threshold()
    assert before != ijw_ingest.INGEST_GC_THRESHOLDS
    with duckdb.connect(":memory:") as con:
        ensure_schema(con)
        with pytest.raises(RuntimeError, match="a batch fails"):
            ijw_ingest.ingest_message_files(
                con,
                files,
                ALLOCATIONS.spec,
                ALLOCATIONS.table,
                Pseudonymiser(b"gc-test-key-0123456789"),
                "gc-test",
                batch_files=2,
                read_batch=read_batch,
            )
        assert con.execute("select count(*) from audit.ingest_ledger").fetchone()[0] == 2  # the first batch
    assert seen_during_batches == [ijw_ingest.INGEST_GC_THRESHOLDS] * 2
    assert gc.get_threshold() == before
